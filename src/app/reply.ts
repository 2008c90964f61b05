// Turns what a handler returned (or threw) into a response on the transport.
//
// Fast path (one respond(send, status, head, body) call, header block pre-encoded at start-up):
//   string               → 200 text/plain; charset=utf-8
//   Uint8Array / Buffer  → 200 application/octet-stream
//   undefined            → 204, no body
//   anything else        → 200 application/json, JSON.stringify(value) (null → 'null')
//   Response             → its status and body; its own header block when it has headers
// Slow path: a Response whose body is an (async) iterable is streamed with ASGI
// messages (chunked transfer coding).
import type { Logger, Scope, Send } from '../types.js';
import { HEAD, HTTPException, Response, toPairs } from './response.js';
import { respond } from '../server/respond.js';

const ERROR_500 = '{"detail":"Internal Server Error"}';

/** Sends `value` as the response. Returns a promise only when the body is streamed or `send` was wrapped. */
export function reply(send: Send, value: unknown, logger: Logger, scope: Scope): void | Promise<void> {
  if (typeof value === 'string') {
    return respond(send, 200, HEAD.TEXT, value);
  }
  if (value === undefined) {
    return respond(send, 204, null, null);
  }
  if (value instanceof Response) return sendResponse(send, value, logger, scope);
  if (value instanceof Uint8Array) {
    return respond(send, 200, HEAD.BYTES, value);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    return fail(send, err, logger, scope);
  }
  // JSON.stringify returns undefined for functions and symbols: not a response.
  if (json === undefined) return fail(send, new TypeError(`handler returned a ${typeof value}, which is not a response`), logger, scope);
  return respond(send, 200, HEAD.JSON, json);
}

/** Answers an error: HTTPException → its status and {"detail"}; anything else → 500 (logged). */
export function fail(send: Send, err: unknown, logger: Logger, scope: Scope): void | Promise<void> {
  if (err instanceof HTTPException) {
    let body: string;
    try {
      body = JSON.stringify({ detail: err.detail });
    } catch {
      body = JSON.stringify({ detail: err.message });
    }
    return respond(send, err.status, err.headers === null ? HEAD.JSON : new Response(body, { headers: err.headers, contentType: 'application/json' }).encodedHead(), body);
  }
  try {
    logger.error(`${scope.method} ${scope.path}: handler failed`, err);
  } catch {
    // a failing logger must not keep the client waiting
  }
  return respond(send, 500, HEAD.JSON, ERROR_500);
}

function sendResponse(send: Send, res: Response, logger: Logger, scope: Scope): void | Promise<void> {
  const body = res.body;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    return respond(send, res.status, res.encodedHead(), body);
  }
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' || typeof (body as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return stream(send, res, body as AsyncIterable<string | Uint8Array>);
  }
  return fail(send, new TypeError('Response body must be a string, bytes, null or an iterable of chunks'), logger, scope);
}

async function stream(send: Send, res: Response, body: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<void> {
  const headers = res.headers === null ? [] : toPairs(res.headers);
  if (!headers.some(([n]) => n.toLowerCase() === 'content-type')) {
    headers.unshift(['content-type', res.contentType ?? 'application/octet-stream']);
  }
  await send({ type: 'http.response.start', status: res.status, headers });
  // Errors after this point reach the transport, which closes the connection (the
  // response has started, so no error status can be sent).
  for await (const chunk of body) {
    if (chunk.length > 0) await send({ type: 'http.response.body', body: chunk, moreBody: true });
  }
  await send({ type: 'http.response.body', body: '', moreBody: false });
}
