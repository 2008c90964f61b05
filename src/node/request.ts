// req: a real IncomingMessage (node:http's own class, so instanceof and Express's prototype
// swap need nothing), filled from the scope once. Its headers/headersDistinct getters are
// node:http's, so Node's duplicate rules apply (set-cookie an array, cookie joined with
// '; ', the drop list). Its body flows through IncomingMessage._read → socket.resume().
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { equalsText } from '../http/ascii.js';
import { H, HEADER_NAMES } from '../parser/header-names.js';
import { Headers } from '../scope/headers.js';
import type { Scope } from '../types.js';
import type { NodeSocket } from './socket.js';

const kHeadersCount = symbolOf('kHeadersCount');

function symbolOf(description: string): symbol {
  const s = Object.getOwnPropertySymbols(new IncomingMessage(null as unknown as Socket)).find((k) => k.description === description);
  if (s === undefined) throw new Error(`fasterapi/node: node:http has no ${description} on IncomingMessage (Node ${process.version})`);
  return s;
}

/**
 * Everything is read from the scope here, never later: the scope is pooled and serves
 * another request once the response has ended, while apps (loggers on 'finish') still read req.
 * rawHeaders names are as the client sent them, read from the head's spans.
 */
export function makeRequest(scope: Scope, socket: NodeSocket, joinDuplicateHeaders: boolean): IncomingMessage {
  const req = new IncomingMessage(socket as unknown as Socket);
  const v = scope.httpVersion;
  req.httpVersionMajor = 1;
  req.httpVersionMinor = v === '1.0' ? 0 : 1;
  req.httpVersion = v;
  req.method = scope.method;
  const q = scope.queryString;
  req.url = q === '' ? scope.rawPath : `${scope.rawPath}?${q}`;
  const h = scope.headers;
  const n = h.size;
  const raw: string[] = new Array(n * 2);
  // names as received when the scope still holds the transport's spans (a middleware may have replaced the view)
  const spans = h instanceof Headers ? h : null;
  for (let i = 0; i < n; i++) {
    raw[i * 2] = spans === null ? h.nameAt(i) : receivedName(spans, i);
    raw[i * 2 + 1] = h.valueAt(i);
  }
  req.rawHeaders = raw;
  (req as unknown as Record<symbol, number>)[kHeadersCount] = n * 2;
  if (joinDuplicateHeaders) (req as IncomingMessage & { joinDuplicateHeaders: boolean }).joinDuplicateHeaders = true;
  (req as IncomingMessage & { upgrade: boolean }).upgrade = scope.type === 'websocket';
  return req;
}

/**
 * Line i's name in the case the client sent it. A well-known name reuses the string made
 * the last time it came in the same case (clients send the same case every time), so a
 * steady client costs a byte compare, not a string.
 */
function receivedName(h: Headers, i: number): string {
  const start = h.spans[i * 4];
  const end = h.spans[i * 4 + 1];
  const id = h.ids[i];
  if (id === H.OTHER) return h.buf.latin1Slice(start, end);
  const last = CASED[id];
  if (last !== undefined && equalsText(h.buf, start, end, last)) return last;
  return (CASED[id] = h.buf.latin1Slice(start, end));
}

/** Per well-known name id, the last case it was received in. */
const CASED: (string | undefined)[] = new Array(HEADER_NAMES.length);

/**
 * Whether a body follows the head (RFC 9112 §6.3: content-length other than 0, or
 * transfer-encoding). On the transport's own headers by field id, with no string made.
 */
export function hasBody(scope: Scope): boolean {
  const h = scope.headers;
  if (h instanceof Headers) {
    if (h.indexOfId(H.TRANSFER_ENCODING) >= 0) return true;
    const i = h.indexOfId(H.CONTENT_LENGTH);
    // several content-length lines join into a value that is not '0', as get() gives
    return i >= 0 && (!h.valueEquals(i, '0') || h.indexOfId(H.CONTENT_LENGTH, i + 1) >= 0);
  }
  if (h.has('transfer-encoding')) return true;
  const cl = h.get('content-length');
  return cl !== null && cl !== '0';
}
