// A URL object over the request URL string, read by slicing instead of parsing: srvx's
// `request._url`, which h3 takes for `event.url` when it is `instanceof URL` (otherwise
// h3 parses `request.url` with `new URL()` on every request: ~10% of an h3 /json request
// in-process, perf, Node 20).
const NativeURL = globalThis.URL;
const kReal = Symbol('fasterapi.fetch.realUrl');

/**
 * `href`, `protocol`, `host`, `pathname` and `search` are slices of the string the URL
 * was made from, which must already be what `new URL(href).href` gives (requestUrl()'s
 * result is: plain or serialised by the URL parser) and hold no userinfo and no fragment. Any other
 * member, and every setter, goes to a real URL made on first need; from then on every
 * member reads the real one.
 */
export class LightURL {
  #href: string;
  /** Index of the path's first '/'. */
  readonly #path: number;
  /** Index of '?', or the length. */
  readonly #query: number;
  #url: URL | null = null;

  constructor(href: string) {
    this.#href = href;
    const path = href.indexOf('/', href.indexOf(':') + 3);
    const query = href.indexOf('?', path);
    this.#path = path;
    this.#query = query < 0 ? href.length : query;
  }

  /** The real URL, made once (for the members not read here, and for any change). */
  [kReal](): URL {
    return (this.#url ??= new NativeURL(this.#href));
  }

  get href(): string {
    return this.#url === null ? this.#href : this.#url.href;
  }
  get protocol(): string {
    return this.#url === null ? this.#href.slice(0, this.#href.indexOf(':') + 1) : this.#url.protocol;
  }
  get host(): string {
    return this.#url === null ? this.#href.slice(this.#href.indexOf(':') + 3, this.#path) : this.#url.host;
  }
  get pathname(): string {
    return this.#url === null ? this.#href.slice(this.#path, this.#query) : this.#url.pathname;
  }
  get search(): string {
    // A lone '?' is an empty search, as URL has it.
    return this.#url === null ? (this.#query + 1 >= this.#href.length ? '' : this.#href.slice(this.#query)) : this.#url.search;
  }
  toString(): string {
    return this.href;
  }
  toJSON(): string {
    return this.href;
  }
}

/** The URL object for a request URL string: light unless it has a fragment. */
export function lightUrl(href: string): URL {
  if (href.indexOf('#') >= 0) return new NativeURL(href);
  return new LightURL(href) as unknown as URL;
}

// Every other URL member (getters, setters, methods, util.inspect's symbol) works on the
// real URL; the setters of the members above do too.
const mine = LightURL.prototype as unknown as Record<PropertyKey, unknown>;
for (const key of Reflect.ownKeys(NativeURL.prototype)) {
  if (key === 'constructor') continue;
  const d = Object.getOwnPropertyDescriptor(NativeURL.prototype, key)!;
  const own = Object.getOwnPropertyDescriptor(mine, key);
  if (d.get !== undefined || d.set !== undefined) {
    const get =
      own?.get ??
      function (this: LightURL) {
        return (this[kReal]() as unknown as Record<PropertyKey, unknown>)[key];
      };
    const set =
      d.set === undefined
        ? undefined
        : function (this: LightURL, value: unknown) {
            (this[kReal]() as unknown as Record<PropertyKey, unknown>)[key] = value;
          };
    Object.defineProperty(mine, key, { get, set, enumerable: d.enumerable, configurable: true });
  } else if (typeof d.value === 'function' && own === undefined) {
    Object.defineProperty(mine, key, {
      value(this: LightURL, ...args: unknown[]) {
        const real = this[kReal]() as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>;
        return real[key](...args);
      },
      writable: true,
      enumerable: d.enumerable,
      configurable: true,
    });
  }
}
Object.setPrototypeOf(LightURL.prototype, NativeURL.prototype);
