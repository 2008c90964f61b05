// The request URL a fetch handler sees: scheme, host and root path as resolved by the
// trust stage, then the request target. Built once, on the first read of Request.url.
import { asciiScratch } from '../http/ascii.js';
import { HOST_MODE, hostEnd, parsePort } from '../http/host.js';
import { H } from '../parser/header-names.js';
import { Scope as PooledScope } from '../scope/scope.js';
import type { Scope } from '../types.js';

/** Thrown for a request whose target or host cannot make a URL; the adapter answers 400. */
export class RequestUrlError extends Error {
  override name = 'RequestUrlError';
}

/**
 * Characters a request target may hold for the WHATWG URL parser to leave it exactly as
 * received (RFC 3986 pchar / query minus '%', "'" and '\'): '%' may spell a dot segment
 * (%2e), "'" is percent-encoded in special-scheme queries, '\' is read as '/'.
 * Anything else goes through `new URL()` so the string equals what a real Request gets.
 */
const PLAIN = new Uint8Array(128);
for (const c of '!$&()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~') PLAIN[c.charCodeAt(0)] = 1;

/** True when `target` starts with '/' and the URL parser would not rewrite it. */
function plainTarget(target: string): boolean {
  const n = target.length;
  if (n === 0 || target.charCodeAt(0) !== 0x2f) return false;
  let query = false;
  for (let i = 1; i < n; i++) {
    const c = target.charCodeAt(i);
    if (c > 0x7f || PLAIN[c] === 0) return false;
    if (query) continue;
    if (c === 0x3f) query = true;
    else if (c === 0x2e && target.charCodeAt(i - 1) === 0x2f) {
      // '/.' or '/..' ending a segment is a dot segment the parser removes.
      let j = i + 1;
      if (target.charCodeAt(j) === 0x2e) j++;
      if (j === n || target.charCodeAt(j) === 0x2f || target.charCodeAt(j) === 0x3f) return false;
    }
  }
  return true;
}

/**
 * True for a host the URL parser keeps byte for byte ('localhost:3000',
 * 'api.example.com'): valid under the host grammar's FORWARDED mode (http/host.ts) and,
 * within that, no uppercase, no '~', no IPv6 literal, and a port without a leading zero
 * that is not the scheme's default. Anything else takes the checked path.
 */
function plainHost(host: string, defaultPort: number): boolean {
  // Hosts repeat (every request of a connection, most of a server's): the last answer is kept.
  if (host === lastHost && defaultPort === lastDefaultPort) return lastPlain;
  lastPlain = checkPlainHost(host, defaultPort);
  lastHost = host;
  lastDefaultPort = defaultPort;
  return lastPlain;
}
let lastHost = '';
let lastDefaultPort = 0;
let lastPlain = false;

function checkPlainHost(host: string, defaultPort: number): boolean {
  const buf = asciiScratch(host);
  if (buf === null) return false;
  const n = host.length;
  const end = hostEnd(buf, 0, n, HOST_MODE.FORWARDED, null);
  if (end < 0 || buf[0] === 0x5b /* [ */) return false;
  for (let i = 0; i < end; i++) {
    const c = buf[i];
    if ((c >= 0x41 && c <= 0x5a) || c === 0x7e) return false;
  }
  return end === n || (buf[end + 1] !== 0x30 && parsePort(buf, end + 1, n) !== defaultPort);
}

/** Host as the URL authority: IPv6 in brackets, the port unless it is the scheme's default. */
function authority(server: readonly [string, number | null], defaultPort: number): string {
  const [name, port] = server;
  const host = name.indexOf(':') >= 0 && name.charCodeAt(0) !== 0x5b ? '[' + name + ']' : name;
  return port === null || port === defaultPort ? host : host + ':' + port;
}

/**
 * The absolute URL of the request: `scheme://host` + root path + target.
 *
 * - scheme, host and root path come from the trust stage (`scope.scheme`, `scope.server`,
 *   `scope.rootPath`); with no trusted forwarding the host is the Host header (or the
 *   authority of an absolute-form target, RFC 9112 §3.2.2) as received.
 * - The root path is prefixed unless the target already starts with it (the way
 *   `scope.path` is computed).
 * - Fast path: a plain host and target are concatenated as they are (the common case,
 *   ~60 ns); anything else goes through `new URL()` and the host is checked to be the
 *   URL's host, so a Host header like `a.com/x?` or `u@b.com` cannot reshape the URL.
 *
 * @throws RequestUrlError for an asterisk- or authority-form target or an invalid host.
 */
export function requestUrl(scope: Scope): string {
  const secure = scope.scheme === 'https' || scope.scheme === 'wss';
  const scheme = secure ? 'https' : 'http';
  const defaultPort = secure ? 443 : 80;
  let host: string;
  let target: string;
  if (scope instanceof PooledScope) {
    const origin = sameOrigin(scope, secure);
    if (origin !== null) {
      target = scope.target;
      const root = scope.rootPath;
      if (root.length === 0 && plainTarget(target)) return origin + target;
    }
    // Straight from the received bytes: one slice for the target instead of path + query.
    host = scope.forwardedHost === null && scope.forwardedPort < 0 ? (scope.authority ?? authority(scope.server, defaultPort)) : authority(scope.server, defaultPort);
    target = scope.target;
    if (target.charCodeAt(0) !== 0x2f) target = pathAndQuery(scope);
  } else {
    host = authority(scope.server, defaultPort);
    target = pathAndQuery(scope);
  }
  const root = scope.rootPath;
  if (root.length > 0 && !(target.startsWith(root) && (target.length === root.length || target.charCodeAt(root.length) === 0x2f || target.charCodeAt(root.length) === 0x3f))) {
    target = root + target;
  }
  if (plainHost(host, defaultPort) && plainTarget(target)) return scheme + '://' + host + target;
  return checkedUrl(scheme, host, target);
}

/**
 * The requests of a server mostly carry one Host: its plain origin ('http://host') is
 * kept with the Host bytes it came from, and a request whose Host field has the same
 * bytes (origin-form target, no forwarded host) gets it back without a Host string or a
 * host check. Null otherwise.
 *
 * Measured with the fixed-arity fetch wrapper of cli/detect.ts, instructions per request
 * (bench/micro/fetch-icount.sh, N=400-500; runs differ by up to ~2k): h3 /json 33.4k →
 * 27.4k, h3 /users/42 36.8k → 33.2k, Hono /users/42 32.3k → 28.2k and 30.0k (two runs).
 */
function sameOrigin(scope: PooledScope, secure: boolean): string | null {
  if (scope.forwardedHost !== null || scope.forwardedPort >= 0) return null;
  const buf = scope.raw.buf;
  if (buf[scope.urlStart] !== 0x2f) return null;
  const raw = scope.raw;
  const i = raw.indexOfId(H.HOST);
  if (i < 0) return null;
  const start = raw.valueStart(i);
  const n = raw.valueEnd(i) - start;
  if (n === originHostLength && secure === originSecure) {
    const kept = originHost;
    let j = 0;
    while (j < n && buf[start + j] === kept[j]) j++;
    if (j === n) return origin;
  }
  if (n > originHost.length) return null;
  const host = raw.valueAt(i);
  if (!plainHost(host, secure ? 443 : 80)) return null;
  buf.copy(originHost, 0, start, start + n);
  originHostLength = n;
  originSecure = secure;
  origin = (secure ? 'https://' : 'http://') + host;
  return origin;
}
const originHost = Buffer.alloc(255);
let originHostLength = -1;
let originSecure = false;
let origin = '';

function pathAndQuery(scope: Scope): string {
  const q = scope.queryString;
  return q.length > 0 ? scope.rawPath + '?' + q : scope.rawPath;
}

function checkedUrl(scheme: string, host: string, target: string): string {
  if (target.charCodeAt(0) !== 0x2f) throw new RequestUrlError('Request target is not a path');
  if (host.length === 0) throw new RequestUrlError('Missing host');
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    // '/', '?', '#', '@', '\' and controls or spaces would move the host boundary.
    if (c <= 0x20 || c === 0x2f || c === 0x3f || c === 0x23 || c === 0x40 || c === 0x5c || c >= 0x7f) {
      throw new RequestUrlError('Invalid host');
    }
  }
  let url: URL;
  try {
    url = new URL(scheme + '://' + host + target);
  } catch {
    throw new RequestUrlError('Invalid URL');
  }
  const port = url.port;
  const expected = port.length > 0 ? url.hostname + ':' + port : url.hostname;
  const given = host.toLowerCase();
  // The parser normalises the host (case, default port, IPv4 forms); it must still be this host.
  if (url.host !== given && expected !== given && !given.startsWith(url.hostname + ':')) throw new RequestUrlError('Invalid host');
  return url.href;
}
