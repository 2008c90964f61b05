import { Headers } from './headers.js';
import { internedLatin1 } from './interned.js';
import { H } from '../parser/header-names.js';
import type { HeaderView, Scope as ScopeShape, ScopeType } from '../types.js';

/**
 * The pooled per-request struct. Every field is assigned in the constructor and again,
 * in the same order, in reset(), so all scopes share one hidden class.
 *
 * Public ASGI fields are plain fields where the value is interned or cached per
 * connection, and getters where a string has to be made (path, query, server):
 * those are built on first read and cached until the scope is reused.
 */
export class Scope implements ScopeShape {
  type: ScopeType = 'http';
  httpVersion: '1.0' | '1.1' = '1.1';
  method = 'GET';
  scheme = 'http';
  client: [string, number] | null = null;
  rootPath = '';
  headers: HeaderView;
  peer: [string, number] | null = null;
  state: Record<string, unknown> | null = null;

  /** The same Headers as `headers`, typed for the byte-level API the stages use. */
  readonly raw: Headers;
  /** Request target span in raw.buf. */
  urlStart = 0;
  urlEnd = 0;
  /** Written by the trust stage; see types.ts Scope.forwardedHost / forwardedPort. */
  forwardedHost: string | null = null;
  forwardedPort = -1;
  /** Listening address of the connection, the fallback for `server`. */
  localAddress = '';
  localPort = 0;

  private cachedPath: string | null = null;
  private cachedRawPath: string | null = null;
  private cachedQuery: string | null = null;
  private cachedServer: [string, number | null] | null = null;

  constructor() {
    this.raw = new Headers();
    this.headers = this.raw;
    // The lazy fields are also own enumerable accessors (the prototype's getters), so a
    // middleware that copies the scope ({ ...scope, rootPath }) gets path, rawPath,
    // queryString, server and authority too; a spread reads only own properties.
    Object.defineProperties(this, OWN_ACCESSORS);
  }

  /** Clears request data; called when the scope is taken from the pool. */
  resetRequest(): void {
    this.type = 'http';
    this.httpVersion = '1.1';
    this.method = 'GET';
    this.scheme = 'http';
    this.client = null;
    this.rootPath = '';
    this.headers = this.raw;
    this.peer = null;
    this.state = null;
    this.raw.reset();
    this.urlStart = 0;
    this.urlEnd = 0;
    this.forwardedHost = null;
    this.forwardedPort = -1;
    this.localAddress = '';
    this.localPort = 0;
    this.cachedPath = null;
    this.cachedRawPath = null;
    this.cachedQuery = null;
    this.cachedServer = null;
  }

  /** Start of the path within the target: skips scheme://authority of an absolute-form target. */
  pathStart(): number {
    const buf = this.raw.buf;
    let i = this.urlStart;
    if (i < this.urlEnd && buf[i] !== 0x2f /* / */ && buf[i] !== 0x2a /* * */) {
      // absolute-form (RFC 9112 §3.2.2): scheme "://" authority path
      const sep = buf.indexOf('://', i, 'latin1');
      if (sep >= 0 && sep < this.urlEnd) {
        i = sep + 3;
        while (i < this.urlEnd && buf[i] !== 0x2f && buf[i] !== 0x3f) i++;
      }
    }
    return i;
  }

  /** End of the path: the '?' or the end of the target. */
  private queryMark(): number {
    const buf = this.raw.buf;
    for (let i = this.pathStart(); i < this.urlEnd; i++) if (buf[i] === 0x3f) return i;
    return this.urlEnd;
  }

  get rawPath(): string {
    if (this.cachedRawPath === null) {
      const s = this.pathStart();
      const e = this.queryMark();
      this.cachedRawPath = s === e ? '/' : internedLatin1(this.raw.buf, s, e);
    }
    return this.cachedRawPath!;
  }
  set rawPath(v: string) {
    this.cachedRawPath = v;
  }

  get path(): string {
    if (this.cachedPath === null) {
      let p = this.rawPath;
      if (p.indexOf('%') >= 0) {
        try {
          p = decodeURIComponent(p);
        } catch {
          // Malformed escapes stay as received rather than failing the request.
        }
      }
      // As received, root path included when the request carries it: routing removes it
      // (routePath), so a rootPath a middleware sets routes the same as the transport's.
      this.cachedPath = p;
    }
    return this.cachedPath;
  }
  set path(v: string) {
    this.cachedPath = v;
  }

  get queryString(): string {
    if (this.cachedQuery === null) {
      const q = this.queryMark();
      this.cachedQuery = q + 1 < this.urlEnd ? this.raw.buf.latin1Slice(q + 1, this.urlEnd) : '';
    }
    return this.cachedQuery!;
  }
  set queryString(v: string) {
    this.cachedQuery = v;
  }

  /** The request target exactly as received (origin-form, absolute-form, '*' or authority-form). */
  get target(): string {
    return this.raw.buf.latin1Slice(this.urlStart, this.urlEnd);
  }

  /** See types.ts Scope.authority: an absolute-form target's authority, else Host, else null. Not validated here. */
  get authority(): string | null {
    const buf = this.raw.buf;
    const s = this.urlStart;
    if (s < this.urlEnd && buf[s] !== 0x2f && buf[s] !== 0x2a) {
      const sep = buf.indexOf('://', s, 'latin1');
      if (sep >= 0 && sep < this.urlEnd) {
        let e = sep + 3;
        while (e < this.urlEnd && buf[e] !== 0x2f && buf[e] !== 0x3f) e++;
        return buf.latin1Slice(sep + 3, e);
      }
    }
    const i = this.raw.indexOfId(H.HOST);
    return i < 0 ? null : this.raw.valueAt(i);
  }

  get server(): [string, number | null] {
    if (this.cachedServer === null) this.cachedServer = this.computeServer();
    return this.cachedServer;
  }
  set server(v: [string, number | null]) {
    this.cachedServer = v;
  }

  private computeServer(): [string, number | null] {
    const secure = this.scheme === 'https' || this.scheme === 'wss';
    if (this.forwardedHost !== null) {
      const [h, p] = splitHostPort(this.forwardedHost);
      return [h, this.forwardedPort >= 0 ? this.forwardedPort : (p ?? (secure ? 443 : 80))];
    }
    const host = this.authority;
    if (host !== null && host.length > 0) {
      const [h, p] = splitHostPort(host);
      return [h, this.forwardedPort >= 0 ? this.forwardedPort : (p ?? (secure ? 443 : 80))];
    }
    return [this.localAddress, this.localPort];
  }
}

const OWN_ACCESSORS: PropertyDescriptorMap = {};
for (const key of ['rawPath', 'path', 'queryString', 'server', 'authority'] as const) {
  OWN_ACCESSORS[key] = { ...Object.getOwnPropertyDescriptor(Scope.prototype, key), enumerable: true, configurable: true };
}

/** 'example.com:8080' → ['example.com', 8080]; '[::1]:80' → ['::1', 80]; no port → null. */
export function splitHostPort(host: string): [string, number | null] {
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    const close = host.indexOf(']');
    if (close < 0) return [host, null];
    const name = host.slice(1, close);
    if (host.charCodeAt(close + 1) === 0x3a) return [name, toPort(host.slice(close + 2))];
    return [name, null];
  }
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.indexOf(':') !== colon) return [host, null];
  return [host.slice(0, colon), toPort(host.slice(colon + 1))];
}

function toPort(s: string): number | null {
  if (s.length === 0 || s.length > 5) return null;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return n <= 65535 ? n : null;
}
