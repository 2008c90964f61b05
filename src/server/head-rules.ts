// The rules a request head must meet before the app sees it, beyond what llhttp's
// strict mode already enforces: one pure function from the parsed head to "ok" (0) or
// the status to answer. Run once per request, on spans: no strings are made.
import { H } from '../parser/header-names.js';
import type { Headers } from '../scope/headers.js';
import { chunkedLast, contentLength, validHost } from './head-checks.js';

/** The head may be dispatched. */
export const HEAD_OK = 0;

/**
 * Checks a parsed head (`raw` interned). Returns HEAD_OK, or the status of the error
 * response: 505 for a version other than 1.0/1.1, 405 for CONNECT and PRI, 400 for a
 * missing (1.1), repeated or malformed Host or for bad framing, 501 for a transfer
 * coding other than chunked, 413 for a Content-Length over `maxBodySize`, 417 for an
 * Expect other than 100-continue.
 */
export function checkHead(raw: Headers, major: number, minor: number, method: string, maxBodySize: number): number {
  if (major !== 1 || minor > 1) return 505;
  if (method === 'CONNECT' || method === 'PRI') return 405;
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1; never two.
  const host = raw.indexOfId(H.HOST);
  if ((host < 0 && minor === 1) || raw.repeats(H.HOST)) return 400;
  // ... and 400 for a Host that is not uri-host [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2).
  if (host >= 0 && !validHost(raw.buf, raw.valueStart(host), raw.valueEnd(host))) return 400;
  // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing (400); chunked
  // not final is 400 (§6.3); other codings before chunked are not implemented here
  // (501) rather than passed to the app undecoded.
  const te = raw.indexOfId(H.TRANSFER_ENCODING);
  if (te >= 0 && (minor === 0 || !raw.valueEquals(te, 'chunked'))) {
    return minor === 1 && chunkedLast(raw.buf, raw.valueStart(te), raw.valueEnd(te)) ? 501 : 400;
  }
  const cl = raw.indexOfId(H.CONTENT_LENGTH);
  if (cl >= 0 && contentLength(raw.buf, raw.valueStart(cl), raw.valueEnd(cl)) > maxBodySize) return 413;
  // RFC 9110 §10.1.1: an expectation other than 100-continue cannot be met.
  const expect = raw.indexOfId(H.EXPECT);
  if (expect >= 0 && !raw.valueEquals(expect, '100-continue')) return 417;
  return HEAD_OK;
}

/** The client waits for 100 Continue before sending its body (HTTP/1.1 only; run after checkHead). */
export function expectsContinue(raw: Headers, minor: number): boolean {
  return minor === 1 && raw.indexOfId(H.EXPECT) >= 0;
}
