// HTTPSRedirectMiddleware: plain requests get a 307 to the same URL over TLS.
import { encodeHeaders } from '../server/response-head.js';
import type { App, EncodedHeaders, Receive, Scope, Send } from '../types.js';
import { BaseHTTPMiddleware } from './base.js';
import { HOST, HostSpan, readHost, spanText } from './host.js';
import { bracketHost, pathWithRoot } from './location.js';
import { respond } from '../server/respond.js';

export interface HTTPSRedirectOptions {
  /**
   * Port of the HTTPS endpoint to redirect to. Default: the port the request
   * addressed, except 80 (and 443), which are dropped: http://host:8080/x →
   * https://host:8080/x, http://host/x → https://host/x. 443 is never written.
   */
  httpsPort?: number;
}

const TEXT: EncodedHeaders = encodeHeaders({ 'content-type': 'text/plain; charset=utf-8' });

/**
 * Redirects `http` to `https` and `ws` to `wss` with 307 (method and body are kept),
 * keeping root path, path and query; IPv6 hosts keep their brackets.
 *
 * The scheme is the one the trust stage resolved (scope.scheme): a request that reached
 * a trusted proxy over TLS (X-Forwarded-Proto: https from a trusted peer) passes, so a
 * TLS-terminating proxy does not cause a redirect loop, while the same header from an
 * untrusted peer is ignored by the trust stage and the request is still redirected.
 * A malformed host gets 400 "Invalid host header" rather than a Location built from it.
 */
export class HTTPSRedirectMiddleware extends BaseHTTPMiddleware {
  private readonly httpsPort: number;
  private readonly host = new HostSpan();

  constructor(app: App, options: HTTPSRedirectOptions = {}) {
    super(app);
    const p = options.httpsPort;
    if (p !== undefined && (!Number.isInteger(p) || p < 1 || p > 65535)) {
      throw new TypeError(`httpsPort must be an integer 1-65535, got ${String(p)}`);
    }
    this.httpsPort = p ?? -1;
  }

  override dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    const scheme = scope.scheme;
    if ((scheme !== 'http' && scheme !== 'ws') || (scope.type !== 'http' && scope.type !== 'websocket')) {
      return this.app(scope, receive, send);
    }
    return this.redirect(scope, send);
  }

  /** Slow path: builds the Location for this request. */
  private redirect(scope: Scope, send: Send): void | Promise<void> {
    const h = this.host;
    const found = readHost(scope, h);
    if (found === HOST.INVALID) {
      return respond(send, 400, TEXT, 'Invalid host header');
    }
    let name: string;
    let port: number;
    if (found === HOST.VALID) {
      // Name as received (lowercased), brackets kept, trailing dot kept out.
      name = spanText(h.buf, h.start, h.nameEnd).toLowerCase();
      const fp = scope.forwardedPort;
      port = typeof fp === 'number' && fp >= 0 ? fp : h.port;
    } else {
      // HTTP/1.0 without Host: the address the connection came in on.
      const [host, p] = scope.server;
      name = bracketHost(host);
      port = p ?? -1;
    }
    if (this.httpsPort >= 0) port = this.httpsPort;
    const portPart = port < 0 || port === 80 || port === 443 ? '' : ':' + port;
    const scheme = scope.scheme === 'ws' ? 'wss' : 'https';
    // `OPTIONS *` (asterisk-form) addresses the server, not a path: Starlette appends the
    // '*' and answers `https://host*`. The absolute form of a server-wide OPTIONS is the
    // origin with an empty path (RFC 9112 §3.2.4), so that is the Location; no root path.
    const path = scope.rawPath === '*' ? '' : pathWithRoot(scope);
    return respond(send, 307, encodeHeaders([['location', scheme + '://' + name + portPart + path]]), null);
  }
}
