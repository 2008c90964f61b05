// A Response that keeps what it was constructed with until someone needs more. Creating a
// real Response costs ~20-30 µs on Node 20 (it wraps every body in a ReadableStream,
// measured here: `new Response('{"a":1}')` 29 µs, `new ReadableStream()` 25 µs), more
// than the whole rest of a request on this transport. The writer reads status, body
// and header init straight off this object; anything else builds the real Response once.
//
// Installed as the global Response only with `overrideGlobalObjects: true`; otherwise
// handlers that want it import it from 'fasterapi/fetch'.

const NativeResponse = globalThis.Response;
const NativeHeaders = globalThis.Headers;

/**
 * Content-Type of a string body: spelled as @hono/node-server's and srvx's light Responses
 * write it (a real Response says 'text/plain;charset=UTF-8'), so an app answers the same
 * here as on its own Node server.
 */
export const TEXT_PLAIN = 'text/plain; charset=UTF-8';
const FORM_URLENCODED = 'application/x-www-form-urlencoded;charset=UTF-8';
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/** Builds the real Response behind a FastResponse (internal). */
export const kNativeResponse = Symbol('fasterapi.fetch.nativeResponse');

/** What the writer reads off a FastResponse (filled by `unpack`, no allocation). */
export const parts = {
  status: 200,
  body: null as string | Uint8Array | ReadableStream<Uint8Array> | Blob | null,
  /** Header init as given: record, pairs or Headers; undefined for none. */
  headers: undefined as HeadersInit | undefined,
  /** Content-Type implied by the body when the headers name none. */
  contentType: null as string | null,
};

export class FastResponse {
  #status: number;
  #statusText: string;
  #body: BodyInit | null;
  #init: HeadersInit | undefined;
  #contentType: string | null;
  #headers: Headers | null = null;
  #native: Response | null = null;

  constructor(body?: BodyInit | null, init?: ResponseInit | Response) {
    let status = 200;
    let statusText = '';
    let headers: HeadersInit | undefined;
    if (init != null) {
      if (init.status !== undefined) {
        status = init.status;
        if (!Number.isInteger(status) || status < 200 || status > 599) {
          throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
        }
      }
      if (init.statusText !== undefined) statusText = String(init.statusText);
      headers = init.headers ?? undefined;
    }
    let type: string | null = null;
    if (body === undefined) body = null;
    if (body !== null) {
      if (NULL_BODY_STATUS.has(status)) throw new TypeError('Response constructor: Invalid response status code ' + status);
      if (typeof body === 'string') type = TEXT_PLAIN;
      else if (body instanceof URLSearchParams) {
        body = body.toString();
        type = FORM_URLENCODED;
      } else if (body instanceof Blob) type = body.type === '' ? null : body.type;
      else if (body instanceof ArrayBuffer) body = new Uint8Array(body);
    }
    this.#status = status;
    this.#statusText = statusText;
    this.#body = body;
    this.#init = headers;
    this.#contentType = type;
  }

  get status(): number {
    return this.#native === null ? this.#status : this.#native.status;
  }
  get ok(): boolean {
    const s = this.status;
    return s >= 200 && s < 300;
  }
  get statusText(): string {
    return this.#native === null ? this.#statusText : this.#native.statusText;
  }

  get headers(): Headers {
    if (this.#native !== null) return this.#native.headers;
    let h = this.#headers;
    if (h === null) {
      h = new NativeHeaders(this.#init);
      if (this.#contentType !== null && !h.has('content-type')) h.set('content-type', this.#contentType);
      this.#headers = h;
    }
    return h;
  }

  /** The real Response, made once; the members not written here use it. */
  [kNativeResponse](): Response {
    let res = this.#native;
    if (res === null) {
      const body = this.#body;
      res = new NativeResponse(body as BodyInit | null, { status: this.#status, statusText: this.#statusText, headers: this.headers });
      this.#native = res;
    }
    return res;
  }

  /**
   * Fills `parts` and returns true when the writer can send this response without the
   * real one: the body is absent, a string, bytes, a Blob or a ReadableStream, and
   * nothing has made the real Response (whose body might have been read since).
   */
  static unpack(res: object): boolean {
    if (!(#native in res) || res.#native !== null) return false;
    const body = res.#body;
    if (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array) && !(body instanceof ReadableStream) && !(body instanceof Blob)) {
      return false;
    }
    parts.status = res.#status;
    parts.body = body as typeof parts.body;
    parts.headers = res.#headers ?? res.#init;
    parts.contentType = res.#headers === null ? res.#contentType : null;
    return true;
  }

  // `this` is the class `instanceof` was asked about: a subclass when it is not FastResponse itself. The rule's
  // suggested fix (the class name) would make every subclass answer like FastResponse.
  // biome-ignore-start lint/complexity/noThisInStatic: see above
  static [Symbol.hasInstance](value: unknown): boolean {
    // Responses from fetch() (real ones) are Responses too once this class is global.
    if (this === FastResponse) return value instanceof NativeResponse;
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
  // biome-ignore-end lint/complexity/noThisInStatic: see above

  static json(data: unknown, init?: ResponseInit): FastResponse {
    const body = JSON.stringify(data);
    if (body === undefined) throw new TypeError('Value is not JSON serializable');
    let headers: HeadersInit;
    if (init?.headers != null) {
      const h = new NativeHeaders(init.headers);
      if (!h.has('content-type')) h.set('content-type', 'application/json');
      headers = h;
    } else headers = { 'content-type': 'application/json' };
    return new FastResponse(body, { status: init?.status, statusText: init?.statusText, headers });
  }

  static redirect(url: string | URL, status = 302): FastResponse {
    let href: string;
    try {
      href = new URL(url).href;
    } catch (cause) {
      // The platform Response's words (undici), so an app's error answer reads the same.
      throw new TypeError('Failed to parse URL from ' + String(url), { cause });
    }
    if (!REDIRECT_STATUS.has(status)) throw new RangeError('Invalid status code ' + status);
    return new FastResponse(null, { status, headers: { location: href } });
  }

  static error(): Response {
    return NativeResponse.error();
  }
}

// Every Response member not defined above goes to the real Response.
const own = new Set(Object.getOwnPropertyNames(FastResponse.prototype));
for (const key of Object.getOwnPropertyNames(NativeResponse.prototype)) {
  if (own.has(key)) continue;
  const d = Object.getOwnPropertyDescriptor(NativeResponse.prototype, key)!;
  if (d.get !== undefined) {
    Object.defineProperty(FastResponse.prototype, key, {
      get(this: FastResponse) {
        return (this[kNativeResponse]() as unknown as Record<string, unknown>)[key];
      },
      configurable: true,
    });
  } else if (typeof d.value === 'function') {
    Object.defineProperty(FastResponse.prototype, key, {
      value(this: FastResponse, ...args: unknown[]) {
        const n = this[kNativeResponse]() as unknown as Record<string, (...a: unknown[]) => unknown>;
        return n[key](...args);
      },
      writable: true,
      configurable: true,
    });
  }
}
Object.defineProperty(FastResponse.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: FastResponse) {
    return { status: this.status, headers: this.headers };
  },
});
Object.setPrototypeOf(FastResponse.prototype, NativeResponse.prototype);
Object.setPrototypeOf(FastResponse, NativeResponse);
