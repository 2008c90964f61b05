// The Request a handler receives: a thin, lazy view over the pooled scope. Nothing is
// copied when it is made; every field is read from the scope (or built and cached) on
// first access.
//
// Lifetime: the scope is pooled by the transport and reused for a later request as
// soon as this one's response has been handed to the socket. A Request (and anything
// read lazily through it) is valid only until the handler's result is sent: do not
// keep it in a closure, a cache or a timer that outlives the handler. Copy the values
// you need (`const ip = request.client?.[0]`) instead.
import { MAX_BUFFERED_BODY } from '../server/options.js';
import { bracketHost, pathWithRoot } from '../middleware/location.js';
import { routePath } from '../scope/route-path.js';
import { HTTPException } from './response.js';
import { extractParams, type Route } from './router.js';
import type { HeaderView, Receive, Scope } from '../types.js';

/** The request URL, computed once on first read of request.url. */
export class RequestURL {
  /** 'http' | 'https' | 'ws' | 'wss', as resolved by the trust stage. */
  readonly scheme: string;
  readonly #scope: Scope;
  // Each part is worked out when first read: a route that reads only `scheme` (most do)
  // builds no host pair and no href string.
  #server: [string, number | null] | null = null;
  #path: string | null = null;
  #href: string | null = null;

  constructor(scope: Scope) {
    this.#scope = scope;
    this.scheme = scope.scheme;
  }

  /** Host the client addressed, without brackets for IPv6 (scope.server[0]). */
  get hostname(): string {
    return (this.#server ??= this.#scope.server)[0];
  }

  /** Port the client addressed; the scheme's default port when the Host had none. */
  get port(): number | null {
    return (this.#server ??= this.#scope.server)[1];
  }

  /** Decoded path including the root path (mount point). */
  get path(): string {
    return (this.#path ??= this.#scope.rootPath + routePath(this.#scope));
  }

  /** Raw query string without '?', '' when none. */
  get query(): string {
    return this.#scope.queryString;
  }

  /** Absolute URL: scheme://host[:port] + root path + path as received + ?query. Default ports are left out. */
  get href(): string {
    if (this.#href === null) {
      const [host, port] = (this.#server ??= this.#scope.server);
      const secure = this.scheme === 'https' || this.scheme === 'wss';
      const defaultPort = port === null || port === (secure ? 443 : 80);
      this.#href = this.scheme + '://' + bracketHost(host) + (defaultPort ? '' : ':' + port) + pathWithRoot(this.#scope);
    }
    return this.#href;
  }

  toString(): string {
    return this.href;
  }

  toJSON(): { scheme: string; hostname: string; port: number | null; path: string; query: string; href: string } {
    return { scheme: this.scheme, hostname: this.hostname, port: this.port, path: this.path, query: this.query, href: this.href };
  }
}

/** The client went away before the request body was read to its end. */
export class ClientDisconnect extends Error {
  constructor() {
    super('Client disconnected');
    this.name = 'ClientDisconnect';
  }
}

export class Request {
  /** The scope the transport (and any scope-replacing middleware) handed over. */
  readonly scope: Scope;
  private readonly receiveFn: Receive;
  private readonly route: Route<unknown> | null;
  private cachedUrl: RequestURL | null = null;
  private cachedQuery: URLSearchParams | null = null;
  private cachedParams: Record<string, string> | null = null;
  private cachedBody: Promise<Buffer> | null = null;

  /** The path the route matched (routePath(scope)): the parameters come from it. */
  private readonly matched: string;

  /** Largest body body() buffers (FasterOptions.maxBufferedBodySize); past it, 413. */
  private readonly bodyCap: number;

  constructor(scope: Scope, receive: Receive, route: Route<unknown> | null = null, matched: string | null = null, bodyCap = MAX_BUFFERED_BODY) {
    this.scope = scope;
    this.receiveFn = receive;
    this.route = route;
    this.matched = matched ?? routePath(scope);
    this.bodyCap = bodyCap;
  }

  get method(): string {
    return this.scope.method;
  }

  /** Case-insensitive `get(name)`; repeated fields joined with ', '. */
  get headers(): HeaderView {
    return this.scope.headers;
  }

  /** [address, port] of the client as resolved by the trust stage, or null. */
  get client(): [string, number] | null {
    return this.scope.client;
  }

  get url(): RequestURL {
    return (this.cachedUrl ??= new RequestURL(this.scope));
  }

  /** Values of the route's ':name' (and '*') parameters, from the decoded path. */
  get pathParams(): Record<string, string> {
    if (this.cachedParams === null) {
      this.cachedParams = this.route === null ? {} : extractParams(this.route, this.matched);
    }
    return this.cachedParams;
  }

  /** The parsed query string. */
  get query(): URLSearchParams {
    return (this.cachedQuery ??= new URLSearchParams(this.scope.queryString));
  }

  /** Per-request state shared with middlewares (scope.state). */
  get state(): Record<string, unknown> {
    return (this.scope.state ??= {});
  }

  /**
   * The whole request body (read once, then cached). Rejects with ClientDisconnect, or
   * with HTTPException 413 past maxBufferedBodySize (stream receive() for larger bodies).
   */
  body(): Promise<Buffer> {
    return (this.cachedBody ??= readBody(this.receiveFn, this.bodyCap));
  }

  /** The body decoded as UTF-8. */
  async text(): Promise<string> {
    return (await this.body()).toString('utf8');
  }

  /** The body parsed as JSON; a body that is not JSON is a 400. */
  async json<T = unknown>(): Promise<T> {
    const text = await this.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new HTTPException(400, 'Invalid JSON body');
    }
  }
}

async function readBody(receive: Receive, cap: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const m = await receive();
    if (m.type !== 'http.request') throw new ClientDisconnect();
    if (total + m.body.length > cap) throw new HTTPException(413, 'Request body too large');
    if (m.body.length > 0) {
      chunks.push(m.body);
      total += m.body.length;
    }
    if (!m.moreBody) break;
  }
  if (chunks.length === 1) {
    const c = chunks[0];
    return Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  }
  return Buffer.concat(chunks, total);
}
