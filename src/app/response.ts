// Response values a handler may return, and HTTPException. The common content types
// have their header blocks encoded once here, for the transport's fast path
// send(status, head, body).
import { encodeHeaders, fieldPairs } from '../server/response-head.js';
import { REASONS } from '../http/reasons.js';
import type { EncodedHeaders } from '../types.js';

/** Pre-encoded header blocks for the fast path (built once at module load). */
export const HEAD = {
  TEXT: encodeHeaders({ 'content-type': 'text/plain; charset=utf-8' }),
  JSON: encodeHeaders({ 'content-type': 'application/json' }),
  BYTES: encodeHeaders({ 'content-type': 'application/octet-stream' }),
  HTML: encodeHeaders({ 'content-type': 'text/html; charset=utf-8' }),
} as const;

/** Body of a Response: whole, or streamed chunk by chunk (sent chunked). */
export type ResponseBody = string | Uint8Array | null | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

export type HeadersInit = Readonly<Record<string, string | number | readonly string[]>> | ReadonlyArray<readonly [string, string]> | Headers;

export interface ResponseInit {
  /** Default 200. */
  status?: number;
  headers?: HeadersInit;
  /** Value of content-type when `headers` has none; default from the body's type. */
  contentType?: string;
}

/**
 * An explicit response: status, headers, body. `body` may be a string (utf-8), bytes,
 * null (no body), or an (async) iterable of chunks, which is streamed with chunked
 * transfer coding.
 */
export class Response {
  status: number;
  headers: HeadersInit | null;
  body: ResponseBody;
  contentType: string | null;

  constructor(body: ResponseBody = null, init: ResponseInit = {}) {
    this.status = init.status ?? 200;
    this.headers = init.headers ?? null;
    this.body = body;
    this.contentType = init.contentType ?? null;
  }

  /** JSON body (JSON.stringify(data)), content-type application/json. */
  static json(data: unknown, init: ResponseInit = {}): Response {
    return new Response(JSON.stringify(data), { contentType: 'application/json', ...init });
  }

  /** Redirect with a Location header; default 307 (keeps the method and body). */
  static redirect(location: string, status = 307, init: Omit<ResponseInit, 'status'> = {}): Response {
    const headers = init.headers === undefined ? [] : toPairs(init.headers);
    headers.push(['location', location]);
    return new Response(null, { ...init, status, headers });
  }

  /** The header block for this response: a shared pre-encoded one when no headers were given. */
  encodedHead(): EncodedHeaders | null {
    const body = this.body;
    let type = this.contentType;
    if (type === null) {
      if (typeof body === 'string') type = 'text/plain; charset=utf-8';
      else if (body instanceof Uint8Array) type = 'application/octet-stream';
    }
    if (this.headers === null) return type === null ? null : headFor(type);
    const pairs = toPairs(this.headers);
    if (type !== null && !pairs.some(([n]) => n.toLowerCase() === 'content-type')) pairs.unshift(['content-type', type]);
    return encodeHeaders(pairs);
  }
}

/** Raised in a handler: answered with `status` and a JSON body {"detail": detail}. */
export class HTTPException extends Error {
  readonly status: number;
  readonly detail: unknown;
  readonly headers: HeadersInit | null;

  constructor(status: number, detail?: unknown, headers?: HeadersInit) {
    const text = detail === undefined ? (REASONS[status] ?? 'Error') : detail;
    super(typeof text === 'string' ? text : JSON.stringify(text));
    this.name = 'HTTPException';
    this.status = status;
    this.detail = text;
    this.headers = headers ?? null;
  }
}

const heads = new Map<string, EncodedHeaders>([
  ['text/plain; charset=utf-8', HEAD.TEXT],
  ['application/json', HEAD.JSON],
  ['application/octet-stream', HEAD.BYTES],
  ['text/html; charset=utf-8', HEAD.HTML],
]);

/** Encoded 'content-type: type' block, cached (bounded) per type. */
export function headFor(type: string): EncodedHeaders {
  let head = heads.get(type);
  if (head === undefined) {
    head = encodeHeaders({ 'content-type': type });
    if (heads.size < 256) heads.set(type, head);
  }
  return head;
}

/** A response's headers as [name, value] pairs: the server's one flattener (pairs, record or Headers). */
export function toPairs(h: HeadersInit): [string, string][] {
  return fieldPairs(h);
}
