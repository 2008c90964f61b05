// TrustedHostMiddleware: answers 400 "Invalid host header" unless the request's host
// is one of `allowedHosts`. Protects generated URLs (redirects, password-reset links,
// cache keys) from host-header injection.
import { encodeHeaders } from '../server/response-head.js';
import type { App, EncodedHeaders, Receive, Scope, Send } from '../types.js';
import { BaseHTTPMiddleware } from './base.js';
import { lowerAt } from '../http/ascii.js';
import { HOST, HostSpan, checkSpan, hostFieldSpan, readHost, spanText } from './host.js';
import { bracketHost, pathWithRoot } from './location.js';
import { respond } from '../server/respond.js';

export interface TrustedHostOptions {
  /**
   * Hosts this app answers for. Each entry is one of:
   * - an exact name or address: 'api.example.com', '127.0.0.1', '[::1]';
   * - a wildcard '*.example.com': any name ending in '.example.com' (any depth:
   *   'a.example.com', 'a.b.example.com'). The apex 'example.com' is NOT matched
   *   by its wildcard: list it as well if you serve it;
   * - '*': any host (only the grammar check runs);
   * and may carry a port ('example.com:8443', '[::1]:8000'); an entry without a
   * port allows every port, an entry with one allows only that port (a Host without
   * a port is on the scheme's default port, 80 or 443, or on X-Forwarded-Port).
   * Compared ASCII case-insensitively, with one trailing dot ignored on both sides.
   * IPv6 literals are compared as addresses ('[::1]' equals '[0::1]').
   * A malformed entry throws when the middleware is constructed (at start-up).
   * Default ['*'].
   */
  allowedHosts?: readonly string[];
  /**
   * When the host is 'example.com' and 'www.example.com' is allowed (exactly), answer
   * a 307 redirect to the www name instead of 400 (Starlette's www_redirect). Default true.
   */
  wwwRedirect?: boolean;
}

const KIND = { ANY: 0, EXACT: 1, SUFFIX: 2, IPV6: 3 } as const;
type Kind = (typeof KIND)[keyof typeof KIND];

/** One compiled allowedHosts entry (stable shape; `text` lowercase). */
class HostRule {
  readonly kind: Kind;
  /** EXACT: the name; SUFFIX: '.example.com'; ANY/IPV6: ''. */
  readonly text: string;
  /** -1: any port. */
  readonly port: number;
  readonly words: Int32Array | null;

  constructor(kind: Kind, text: string, port: number, words: Int32Array | null) {
    this.kind = kind;
    this.text = text;
    this.port = port;
    this.words = words;
  }
}

const INVALID_HOST = 'Invalid host header';
const TEXT: EncodedHeaders = encodeHeaders({ 'content-type': 'text/plain; charset=utf-8' });

/** Parses one allowedHosts entry; throws a clear error when it is not a host pattern. */
export function compileHostRule(entry: string): HostRule {
  if (typeof entry !== 'string') throw new TypeError(`allowedHosts entries must be strings, got ${typeof entry}`);
  if (entry === '*') return new HostRule(KIND.ANY, '', -1, null);
  const wildcard = entry.startsWith('*.');
  const body = wildcard ? entry.slice(2) : entry;
  const bytes = Buffer.from(body, 'latin1');
  const span = new HostSpan();
  const bad = (why: string): Error => new TypeError(`allowedHosts entry ${JSON.stringify(entry)} is not a host pattern: ${why}`);
  if (Buffer.byteLength(body, 'utf8') !== body.length) throw bad('use the ASCII (punycode, xn--) form of the name');
  if (body.indexOf('*') >= 0) throw bad("'*' is allowed only as '*' or as a leading '*.' label");
  if (body.indexOf('://') >= 0 || body.indexOf('/') >= 0) throw bad('give the host only, without scheme or path');
  if (!checkSpan(bytes, 0, bytes.length, span)) throw bad('expected name, IPv4 or [IPv6], optionally with :port');
  if (span.ipv6) {
    if (wildcard) throw bad('a wildcard cannot apply to an IPv6 literal');
    return new HostRule(KIND.IPV6, '', span.port, Int32Array.from(span.words));
  }
  const name = spanText(bytes, 0, span.nameEnd).toLowerCase();
  return new HostRule(wildcard ? KIND.SUFFIX : KIND.EXACT, wildcard ? '.' + name : name, span.port, null);
}

/**
 * Refuses requests for hosts not in `allowedHosts` with 400 "Invalid host header",
 * for HTTP requests and WebSocket upgrades alike. The host is the one the trust stage
 * resolved (trusted X-Forwarded-Host, else an absolute-form target's authority, else
 * Host), and it is first checked against the host grammar, so 'evil.com#.example.com'
 * or '[::1]evil.com' is refused before any wildcard is tried.
 */
/** Longest Host field the one-entry cache keeps. */
const LAST_MAX = 128;

export class TrustedHostMiddleware extends BaseHTTPMiddleware {
  private readonly rules: readonly HostRule[];
  private readonly allowAny: boolean;
  /** Some rule needs the port compared. */
  private readonly needsPort: boolean;
  private readonly wwwRedirect: boolean;
  private readonly host = new HostSpan();
  /**
   * The last Host field allowed, as little-endian 32-bit words: [0, 4), [4, 8), ... and
   * last the word ending at its end (overlapping the one before). Most requests repeat
   * it, and the answer depends on those bytes alone when no rule has a port, so a match
   * skips the grammar check and the rules. Word compares through the head's DataView, not
   * a byte loop: 14 bytes ("localhost:8000") took ~40 ns a byte at a time, ~20 this way
   * (docs/design.md, "What a middleware costs").
   */
  private readonly lastWords = new Int32Array((LAST_MAX >> 2) + 1);
  private lastAllowedLen = -1;

  constructor(app: App, options: TrustedHostOptions = {}) {
    super(app);
    const entries = options.allowedHosts ?? ['*'];
    if (!Array.isArray(entries)) throw new TypeError('allowedHosts must be an array of host patterns');
    this.rules = entries.map(compileHostRule);
    this.allowAny = this.rules.some((r) => r.kind === KIND.ANY);
    this.needsPort = this.rules.some((r) => r.port >= 0);
    this.wwwRedirect = options.wwwRedirect ?? true;
  }

  override dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    const type = scope.type;
    if (type !== 'http' && type !== 'websocket') return this.app(scope, receive, send);
    const h = this.host;
    const field = !this.needsPort && hostFieldSpan(scope, h);
    if (field && this.sameAsLast(h)) return this.app(scope, receive, send);
    const found = readHost(scope, h);
    if (found === HOST.VALID) {
      if (this.allowAny || this.matches(scope, h)) {
        if (field) this.remember(h);
        return this.app(scope, receive, send);
      }
      const www = this.wwwRedirect && type === 'http' ? this.wwwLocation(scope, h) : null;
      if (www !== null) return respond(send, 307, www, null);
    } else if (found === HOST.NONE && this.allowAny) {
      // HTTP/1.0 without Host, and any host is allowed.
      return this.app(scope, receive, send);
    }
    return respond(send, 400, TEXT, INVALID_HOST);
  }

  private sameAsLast(h: HostSpan): boolean {
    const n = h.end - h.start;
    if (n !== this.lastAllowedLen) return false;
    const view = h.view;
    const s = h.start;
    const words = this.lastWords;
    const k = n >> 2;
    for (let j = 0; j < k; j++) if (view.getInt32(s + 4 * j, true) !== words[j]) return false;
    return view.getInt32(s + n - 4, true) === words[k];
  }

  /** Only hosts of 4 bytes or more: shorter ones (no real client sends them) are judged each time. */
  private remember(h: HostSpan): void {
    const n = h.end - h.start;
    if (n > LAST_MAX || n < 4) return;
    const view = h.view;
    const s = h.start;
    const words = this.lastWords;
    const k = n >> 2;
    for (let j = 0; j < k; j++) words[j] = view.getInt32(s + 4 * j, true);
    words[k] = view.getInt32(s + n - 4, true);
    this.lastAllowedLen = n;
  }

  /** Checks the (grammar-valid) host against the rules. */
  private matches(scope: Scope, h: HostSpan): boolean {
    const buf = h.buf;
    const s = h.start;
    const len = h.nameEnd - s;
    const port = this.needsPort ? effectivePort(scope, h) : -1;
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if (r.port >= 0 && r.port !== port) continue;
      if (h.ipv6) {
        if (r.kind === KIND.IPV6 && sameWords(r.words!, h.words)) return true;
        continue;
      }
      const t = r.text;
      if (r.kind === KIND.EXACT) {
        if (t.length === len && lowerAt(buf, s, t)) return true;
      } else if (r.kind === KIND.SUFFIX) {
        if (len > t.length && lowerAt(buf, s + len - t.length, t)) return true;
      }
    }
    return false;
  }

  /** 'example.com' when 'www.example.com' is allowed: the Location head of a 307 to the www host, else null. Slow path. */
  private wwwLocation(scope: Scope, h: HostSpan): EncodedHeaders | null {
    if (h.ipv6) return null;
    const name = spanText(h.buf, h.start, h.nameEnd).toLowerCase();
    if (name.startsWith('www.')) return null;
    const www = 'www.' + name;
    const port = this.needsPort ? effectivePort(scope, h) : -1;
    if (!this.rules.some((r) => r.kind === KIND.EXACT && r.text === www && (r.port < 0 || r.port === port))) return null;
    const portPart = h.port >= 0 ? ':' + h.port : '';
    return encodeHeaders([['location', scope.scheme + '://' + bracketHost(www) + portPart + pathWithRoot(scope)]]);
  }
}

/** Port the request addressed: X-Forwarded-Port, else the host's port, else the scheme's default. */
function effectivePort(scope: Scope, h: HostSpan): number {
  const fp = scope.forwardedPort;
  if (fp !== undefined && fp >= 0) return fp;
  if (h.port >= 0) return h.port;
  return scope.scheme === 'https' || scope.scheme === 'wss' ? 443 : 80;
}

function sameWords(a: Int32Array, b: Int32Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
