// Request.headers without building a Headers object: get() and has() read the scope's
// zero-copy header view; everything else (iteration, mutation) works on a real Headers
// made on first need.
import type { HeaderView } from '../types.js';

const NativeHeaders = globalThis.Headers;
/** RFC 9110 §5.1 field-name token; Headers.get() throws on anything else. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A `Headers` (instanceof holds, the prototype chain is Headers.prototype) backed by:
 * - the scope's header view while the request is being handled (no strings made but
 *   the values read);
 * - a copy of the fields, made by `detach()` when the response ends, since the scope
 *   then goes back to the pool;
 * - a real Headers once iterated or changed.
 */
export class RequestHeaders {
  #view: HeaderView | null;
  #copy: string[] | null = null;
  #native: Headers | null = null;

  constructor(view: HeaderView) {
    this.#view = view;
  }

  /** The scope is about to be reused: keep the fields, not the view. */
  detach(): void {
    const view = this.#view;
    if (view === null) return;
    this.#view = null;
    if (this.#native !== null) return;
    const copy: string[] = [];
    for (let i = 0; i < view.size; i++) copy.push(view.nameAt(i), view.valueAt(i));
    this.#copy = copy;
  }

  /** A real Headers with every field, made once; later reads and changes use it. */
  get native(): Headers {
    let h = this.#native;
    if (h === null) {
      h = new NativeHeaders();
      const view = this.#view;
      if (view !== null) for (let i = 0; i < view.size; i++) h.append(view.nameAt(i), view.valueAt(i));
      else {
        const copy = this.#copy!;
        for (let i = 0; i < copy.length; i += 2) h.append(copy[i], copy[i + 1]);
      }
      this.#native = h;
      this.#view = null;
      this.#copy = null;
    }
    return h;
  }

  get(name: string): string | null {
    if (this.#native === null && typeof name === 'string' && TOKEN.test(name)) {
      const view = this.#view;
      if (view !== null) return view.get(name);
      return lookup(this.#copy!, name.toLowerCase());
    }
    return this.native.get(name);
  }

  has(name: string): boolean {
    if (this.#native === null && typeof name === 'string' && TOKEN.test(name)) {
      const view = this.#view;
      if (view !== null) return view.has(name);
      return lookup(this.#copy!, name.toLowerCase()) !== null;
    }
    return this.native.has(name);
  }

  set(name: string, value: string): void {
    this.native.set(name, value);
  }
  append(name: string, value: string): void {
    this.native.append(name, value);
  }
  delete(name: string): void {
    this.native.delete(name);
  }
  getSetCookie(): string[] {
    return this.native.getSetCookie();
  }
  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.native.forEach((value, key) => {
      callback.call(thisArg, value, key, this as unknown as Headers);
    });
  }
  keys(): IterableIterator<string> {
    return this.native.keys();
  }
  values(): IterableIterator<string> {
    return this.native.values();
  }
  entries(): IterableIterator<[string, string]> {
    return this.native.entries();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.native.entries();
  }
}

Object.setPrototypeOf(RequestHeaders.prototype, NativeHeaders.prototype);
Object.defineProperty(RequestHeaders.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: RequestHeaders) {
    return this.native;
  },
});

/** Repeated fields joined with ', ' as Headers.get() does. */
function lookup(copy: string[], lower: string): string | null {
  let value: string | null = null;
  for (let i = 0; i < copy.length; i += 2) {
    if (copy[i] === lower) value = value === null ? copy[i + 1] : value + ', ' + copy[i + 1];
  }
  return value;
}
