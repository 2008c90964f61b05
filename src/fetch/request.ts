// The Request a fetch handler receives: an object with Request.prototype in its chain
// whose fields are made on first read (the technique of @hono/node-server, written
// against the scope). A GET whose handler reads only method and url costs one object
// and one string: ~130 ns with its env, where `new Request(url, init)` costs 6.5-9 µs
// (Node 20, this machine, one core). Headers, body and signal cost something only when
// touched, and any other Request member builds a real Request once and delegates to it.
import type { Receive, ReceiveMessage, Scope } from '../types.js';
import { Inbox, type DisconnectListener } from './inbox.js';
import { RequestHeaders } from './request-headers.js';
import { requestUrl } from './url.js';
import { lightUrl } from './light-url.js';

const NativeRequest = globalThis.Request;
const decoder = new TextDecoder();

/** Adapter-internal members, kept off the names a Request has. */
export const kNative = Symbol('fasterapi.fetch.native');
export const kInbox = Symbol('fasterapi.fetch.inbox');
export const kPumping = Symbol('fasterapi.fetch.pumping');
export const kFinish = Symbol('fasterapi.fetch.finish');
/** The [address, port] the trust stage resolved, or null. */
export const kClient = Symbol('fasterapi.fetch.client');
/** A buffered read went past the cap: the request is answered 413 whatever the app returns. */
export const kTooLarge = Symbol('fasterapi.fetch.tooLarge');

/** Thrown by text()/json()/arrayBuffer()/bytes()/blob() past the buffered-body cap. */
export class BodyTooLargeError extends RangeError {
  readonly status = 413;
  constructor(limit: number) {
    super(`Request body larger than ${limit} bytes (maxBufferedBodySize)`);
    this.name = 'BodyTooLargeError';
  }
}

/** Whatever the response writer is reading from; cancelled when the client leaves. */
export interface Cancellable {
  cancel(reason?: unknown): Promise<void>;
}

/**
 * The lazily built Request. Handlers see it as a `Request` (`instanceof Request` holds).
 * Valid while the request is handled; after the response ends, fields read before (or
 * url, always) keep working, while headers never read before throw.
 */
export class FetchRequest implements DisconnectListener {
  #scope: Scope | null;
  readonly #receive: Receive;
  readonly #method: string;
  #url: string | null = null;
  #urlObject: URL | null = null;
  #headers: RequestHeaders | null = null;
  #inbox: Inbox | null = null;
  #body: ReadableStream<Uint8Array> | null = null;
  /** The body was taken by text()/json()/… or a read of `body`. */
  #used = false;
  #abort: AbortController | null = null;
  #native: Request | null = null;
  /** The response body being written, cancelled if the client leaves. */
  #pumping: Cancellable | null = null;
  /** Most bytes text()/json()/… buffer (0: no cap). */
  readonly #cap: number;
  [kTooLarge] = false;
  readonly [kClient]: readonly [string, number] | null;

  constructor(scope: Scope, receive: Receive, cap: number) {
    this.#scope = scope;
    this.#receive = receive;
    this.#method = scope.method;
    this.#cap = cap;
    this[kClient] = scope.client;
  }

  /** The client address the trust stage resolved (srvx's `request.ip`, read by h3's getRequestIP()). */
  get ip(): string | undefined {
    return this[kClient]?.[0];
  }

  get method(): string {
    return this.#method;
  }

  get url(): string {
    let url = this.#url;
    if (url === null) {
      if (this.#scope === null) throw new TypeError('fasterapi/fetch: Request.url is no longer available');
      url = this.#url = requestUrl(this.#scope);
    }
    return url;
  }

  /**
   * The URL as an object (srvx's `request._url`): h3 reads it for `event.url` instead of
   * parsing `url` again. Sliced from `url`, a real URL only when something needs one.
   */
  get _url(): URL {
    return (this.#urlObject ??= lightUrl(this.url));
  }
  set _url(url: URL) {
    this.#urlObject = url;
  }

  /**
   * srvx's `request.runtime` (h3's `event.runtime`): the name only. There is no node:http
   * `req`/`res` pair here (`runtime.node` is undefined), so h3's Node middleware
   * (`fromNodeHandler`) and `writeEarlyHints` are not available, as on srvx's other runtimes.
   */
  get runtime(): { readonly name: 'node' } {
    return RUNTIME;
  }

  get headers(): Headers {
    let h = this.#headers;
    if (h === null) {
      if (this.#scope === null) throw new TypeError('fasterapi/fetch: Request.headers read first after the response ended; read it while handling the request');
      h = this.#headers = new RequestHeaders(this.#scope.headers);
    }
    return h as unknown as Headers;
  }

  get signal(): AbortSignal {
    let ac = this.#abort;
    if (ac === null) {
      ac = this.#abort = new AbortController();
      const inbox = this[kInbox]();
      if (inbox.disconnected) ac.abort(clientGoneError());
      else inbox.watch();
    }
    return ac.signal;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#native !== null) return this.#native.body;
    if (this.#method === 'GET' || this.#method === 'HEAD') return null;
    let body = this.#body;
    if (body === null) {
      body = this.#used ? new ReadableStream({ start: (c) => c.close() }) : this.#openBody();
      this.#body = body;
    }
    return body;
  }

  get bodyUsed(): boolean {
    if (this.#native !== null) return this.#native.bodyUsed;
    return this.#used;
  }

  get duplex(): 'half' {
    return 'half';
  }

  text(): Promise<string> {
    return this.#read('text', (b) => decoder.decode(b));
  }
  json(): Promise<unknown> {
    return this.#read('json', (b) => JSON.parse(decoder.decode(b)));
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read('arrayBuffer', copyArrayBuffer);
  }
  bytes(): Promise<Uint8Array> {
    return this.#read('bytes', (b) => new Uint8Array(copyArrayBuffer(b)));
  }
  blob(): Promise<Blob> {
    const type = this.headers.get('content-type') ?? '';
    return this.#read('blob', (b) => new Blob([b as unknown as BlobPart], { type }));
  }
  formData(): Promise<FormData> {
    return this[kNative]().formData();
  }
  clone(): Request {
    return this[kNative]().clone();
  }

  /**
   * Whole body without a stream: the chunks from receive() joined once. A body already
   * turned into a stream (or a real Request) is read the standard way.
   */
  #read<T>(kind: 'text' | 'json' | 'arrayBuffer' | 'bytes' | 'blob', convert: (b: Uint8Array) => T): Promise<T> {
    if (this.#native !== null || this.#body !== null) {
      return (this[kNative]() as unknown as Record<string, () => Promise<T>>)[kind]();
    }
    if (this.#method === 'GET' || this.#method === 'HEAD') {
      // No body (a Request refuses one for these): empty, and bodyUsed stays false.
      try {
        return Promise.resolve(convert(EMPTY));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    return readAll(this[kInbox](), this.#cap).then(convert, (err) => {
      if (err instanceof BodyTooLargeError) this[kTooLarge] = true;
      throw err;
    });
  }

  /** A real Request with the same fields, made once; the members not written here use it. */
  [kNative](): Request {
    let req = this.#native;
    if (req !== null) return req;
    const method = this.#method;
    const init: RequestInit & { duplex?: 'half' } = { method, headers: this.headers, signal: this.signal };
    if (method !== 'GET' && method !== 'HEAD') {
      init.body = this.body;
      init.duplex = 'half';
    }
    // The Request constructor refuses TRACE (fetch forbids it); keep the method readable.
    const trace = method === 'TRACE' || method === 'TRACK';
    if (trace) {
      init.method = 'GET';
      init.body = null;
    }
    req = new NativeRequest(this.url, init);
    if (trace) Object.defineProperty(req, 'method', { value: method });
    this.#native = req;
    return req;
  }

  /** The receive() channel, made on first need. */
  [kInbox](): Inbox {
    let inbox = this.#inbox;
    if (inbox === null) {
      inbox = this.#inbox = new Inbox(this.#receive, this);
      // First asked for after the response: receive() belongs to the next request now.
      if (this.#scope === null) inbox.finish();
    }
    return inbox;
  }

  /** Marks the start of the response body pump: the inbox watches for a disconnect. */
  [kPumping](body: Cancellable | null): void {
    this.#pumping = body;
    if (body !== null) this[kInbox]().watch();
  }

  /**
   * Request.body: pulls one receive() message per read (highWaterMark 0: nothing is read
   * ahead of the consumer, so the transport pauses the socket while the handler does not
   * read). Chunks are views over the received bytes, never reused by the transport.
   */
  #openBody(): ReadableStream<Uint8Array> {
    const inbox = this[kInbox]();
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          this.#used = true;
          return inbox.read().then((m) => {
            if (m.type === 'http.disconnect') {
              controller.error(clientGoneError());
              return;
            }
            if (m.body.length > 0) controller.enqueue(m.body);
            if (!m.moreBody) controller.close();
          });
        },
      },
      { highWaterMark: 0 },
    );
  }

  clientGone(): void {
    const reason = clientGoneError();
    this.#abort?.abort(reason);
    const p = this.#pumping;
    if (p !== null) {
      this.#pumping = null;
      p.cancel(reason).catch(noop);
    }
  }

  /**
   * The response has ended; the pooled scope is about to serve another request. Keeps
   * the url and any headers already read, stops using receive().
   */
  [kFinish](): void {
    const scope = this.#scope;
    if (scope === null) return;
    if (this.#url === null) {
      try {
        this.#url = requestUrl(scope);
      } catch {
        // left null: a later read throws
      }
    }
    this.#headers?.detach();
    this.#inbox?.finish();
    this.#pumping = null;
    this.#scope = null;
  }
}

// Every Request member not defined above goes to the real Request.
const own = new Set(Object.getOwnPropertyNames(FetchRequest.prototype));
for (const key of Object.getOwnPropertyNames(NativeRequest.prototype)) {
  if (own.has(key)) continue;
  const d = Object.getOwnPropertyDescriptor(NativeRequest.prototype, key)!;
  if (d.get !== undefined) {
    Object.defineProperty(FetchRequest.prototype, key, {
      get(this: FetchRequest) {
        return (this[kNative]() as unknown as Record<string, unknown>)[key];
      },
      configurable: true,
    });
  } else if (typeof d.value === 'function') {
    Object.defineProperty(FetchRequest.prototype, key, {
      value(this: FetchRequest, ...args: unknown[]) {
        const n = this[kNative]() as unknown as Record<string, (...a: unknown[]) => unknown>;
        return n[key](...args);
      },
      writable: true,
      configurable: true,
    });
  }
}
Object.defineProperty(FetchRequest.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: FetchRequest) {
    return { method: this.method, url: this.url, headers: this.headers };
  },
});
Object.setPrototypeOf(FetchRequest.prototype, NativeRequest.prototype);

function noop(): void {}

function clientGoneError(): Error {
  return new DOMException('The client closed the connection', 'AbortError');
}

function copyArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

const EMPTY = new Uint8Array(0);
const RUNTIME = Object.freeze({ name: 'node' as const });

async function readAll(inbox: Inbox, cap: number): Promise<Uint8Array> {
  let first: Uint8Array | null = null;
  let chunks: Uint8Array[] | null = null;
  let length = 0;
  for (;;) {
    const m: ReceiveMessage = await inbox.read();
    if (m.type === 'http.disconnect') throw clientGoneError();
    const b = m.body;
    if (b.length > 0) {
      if (first === null) first = b;
      else (chunks ??= [first]).push(b);
      length += b.length;
      if (cap > 0 && length > cap) throw new BodyTooLargeError(cap);
    }
    if (!m.moreBody) break;
  }
  if (chunks !== null) return Buffer.concat(chunks, length);
  return first ?? EMPTY;
}
