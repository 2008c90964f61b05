// Response out: what a fetch handler returned, written through the transport.
//
// Fast path (exactly these): a light Response (ours, @hono/node-server's, srvx's
// FastResponse: see light.ts) or a platform Response whose body is absent, a string or
// bytes (a platform one only where its body source is readable, Node 20), or a Blob. They
// go out as ONE respond() call: the transport writes status line, fields and body into its
// output slab with a single socket write, and no stream is read. Everything else (a
// ReadableStream body, a platform Response on a runtime whose body can only be read as a
// stream) streams through http.response.body messages, each awaited for backpressure.
import type { Send } from '../types.js';
import { respond } from '../server/respond.js';
import { FastResponse, TEXT_PLAIN, parts } from './response.js';
import { light, unpackLight } from './light.js';
import { encoded, encodedFramed, flatHeadText, head, headText } from './header-fields.js';
import { headPairs } from '../server/response-head.js';
import { kFinish, kPumping, type FetchRequest } from './request.js';

const NativeResponse = globalThis.Response;
const EMPTY = new Uint8Array(0);
/** Chunks of a stream read before deciding between one write and chunked streaming. */
const PROBE_READS = 3;

/**
 * Where undici 6 (Node 20) keeps a Response's body source: the string or bytes it was
 * made from, readable without its stream. Undici 7 keeps it in a private field (null here).
 */
const stateKey: symbol | null = (() => {
  const probe = new NativeResponse('x');
  for (const s of Object.getOwnPropertySymbols(probe)) {
    const state = (probe as unknown as Record<symbol, { body?: { source?: unknown } } | undefined>)[s];
    if (s.description === 'state' && state?.body?.source === 'x') return s;
  }
  return null;
})();

type Body = string | Uint8Array | ReadableStream<Uint8Array> | Blob | null;

/** The Content-Type line for a body that has none ('' for none), from FetchHandlerOptions.defaultContentType. */
export function defaultTypeLine(type: string | null | undefined): string {
  if (type === null) return '';
  return 'content-type: ' + (type ?? TEXT_PLAIN) + '\r\n';
}

/** Writes `res` for `req`; returns a promise only when the write has to wait (stream, Blob). */
export function writeResponse(req: FetchRequest, res: unknown, send: Send, typeLine: string): void | Promise<void> {
  let status: number;
  let body: Body;
  let text: string;
  let reason: string | undefined; // statusText, for the status line ('' is the standard phrase)
  // Light Responses' streams go out as they come (chunked), as their own servers send
  // them; a platform Response's stream is probed first, as @hono/node-server does.
  let probe = false;
  let defaultType = true;
  if (typeof res !== 'object' || res === null) throw new TypeError('The fetch handler did not return a Response');
  if (FastResponse.unpack(res)) {
    status = parts.status;
    reason = (res as FastResponse).statusText;
    body = parts.body;
    text = headText(parts.headers);
    const type = parts.contentType;
    if (type !== null && !head.contentType) {
      text += 'content-type: ' + type + '\r\n';
      head.contentType = true;
    }
  } else if (unpackLight(res)) {
    status = light.status;
    body = light.body;
    text = light.flat ? flatHeadText(light.headers as string[]) : headText(light.headers as HeadersInit | undefined);
    defaultType = light.defaultType;
    reason = light.statusText;
  } else if (res instanceof NativeResponse) {
    status = res.status;
    reason = res.statusText;
    text = headText(res.headers);
    body = nativeBody(res);
    probe = true;
  } else {
    throw new TypeError('The fetch handler did not return a Response');
  }
  // @hono/node-server labels every body without a Content-Type as text (srvx does not).
  if (body !== null && defaultType && !head.contentType) text += typeLine;
  const isHead = req.method === 'HEAD';
  const length = head.contentLength;
  const connection = head.connection;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    return sendWhole(req, send, status, text, body, isHead, length, connection, reason);
  }
  if (body instanceof ReadableStream) return sendStream(req, send, status, text, body, isHead, length, connection, probe, reason);
  return body.arrayBuffer().then((ab) => sendWhole(req, send, status, text, new Uint8Array(ab), isHead, length, connection, reason));
}

/** A real Response's body: its source when readable without the stream, else the stream. */
function nativeBody(res: Response): Body {
  if (stateKey !== null) {
    const state = (res as unknown as Record<symbol, { body?: { source: unknown } | null } | undefined>)[stateKey];
    if (state !== undefined) {
      if (state.body == null) return null;
      const source = state.body.source;
      if ((typeof source === 'string' || source instanceof Uint8Array) && !res.bodyUsed) return source;
    }
  }
  return res.body;
}

/**
 * One send() with the whole response. `length`: a Content-Length the app set (-1: none);
 * `connection`: the app set a Connection field.
 */
function sendWhole(
  req: FetchRequest,
  send: Send,
  status: number,
  text: string,
  body: string | Uint8Array | null,
  isHead: boolean,
  length: number,
  connection: boolean,
  reason: string | undefined,
): void | Promise<void> {
  req[kFinish]();
  if (connection) {
    // Rare: the ASGI start message applies a `Connection: close` the app set.
    void send({ type: 'http.response.start', status, headers: headPairs(text), reason });
    void send({ type: 'http.response.body', body: body ?? EMPTY });
    return;
  }
  if (isHead && (body === null || body.length === 0)) {
    // HEAD answered without the GET body (Hono drops it): no Content-Length unless the
    // app gave one, as node:http does; a made-up `content-length: 0` would be wrong.
    if (length >= 0) text += 'content-length: ' + length + '\r\n';
    return respond(send, status, encodedFramed(text), null, reason);
  }
  // The fast path with a per-response EncodedHeaders: 2.69 µs per request against 3.12 µs
  // for the same response as an http.response.start + body pair (client and server in
  // one process, 13 alternating rounds of 256k pipelined requests, medians).
  return respond(send, status, text.length === 0 ? null : encoded(text), body, reason);
}

const NOT_YET = Symbol('not yet');
function nextTurn(): Promise<typeof NOT_YET> {
  return new Promise((resolve) => setImmediate(resolve, NOT_YET));
}

/**
 * A stream body. With `probe` (a platform Response), chunks already available (up to
 * PROBE_READS) are read first: a stream that ends within them is sent whole with a
 * Content-Length. Otherwise the head goes
 * out at once (with what was read), so a slow stream such as server-sent events shows
 * its headers immediately, then every chunk is a send() awaited for backpressure. A
 * client that leaves cancels the stream (Request.signal aborts too).
 */
async function sendStream(
  req: FetchRequest,
  send: Send,
  status: number,
  text: string,
  stream: ReadableStream<Uint8Array>,
  isHead: boolean,
  length: number,
  connection: boolean,
  probe: boolean,
  reason: string | undefined,
): Promise<void> {
  const reader = stream.getReader(); // a locked stream throws: the transport answers 500
  if (isHead) {
    reader.cancel().catch(noop);
    return sendWhole(req, send, status, text, null, true, length, connection, reason);
  }
  req[kPumping](reader);
  try {
    let first: Uint8Array[] | null = null;
    let total = 0;
    let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = reader.read();
    for (let i = probe ? 0 : PROBE_READS; i < PROBE_READS; i++) {
      const r = await Promise.race([pending, nextTurn()]);
      if (r === NOT_YET) break;
      if (r.done) {
        pending = null;
        break;
      }
      const chunk = toBytes(r.value);
      (first ??= []).push(chunk);
      total += chunk.length;
      pending = reader.read();
    }
    if (pending === null && !connection) {
      req[kPumping](null);
      const whole = first === null ? null : first.length === 1 ? first[0] : Buffer.concat(first, total);
      return sendWhole(req, send, status, text, whole, false, -1, false, reason);
    }
    if (length >= 0) text += 'content-length: ' + length + '\r\n';
    await send({ type: 'http.response.start', status, headers: headPairs(text), reason });
    const lead = first === null ? EMPTY : first.length === 1 ? first[0] : Buffer.concat(first, total);
    if (pending === null) {
      req[kFinish]();
      await send({ type: 'http.response.body', body: lead, moreBody: false });
      return;
    }
    await send({ type: 'http.response.body', body: lead, moreBody: true });
    for (;;) {
      const r: ReadableStreamReadResult<Uint8Array> = await pending;
      if (r.done) break;
      const chunk = toBytes(r.value);
      if (chunk.length > 0) await send({ type: 'http.response.body', body: chunk, moreBody: true });
      pending = reader.read();
    }
    req[kFinish]();
    await send({ type: 'http.response.body', body: EMPTY, moreBody: false });
  } catch (err) {
    req[kFinish]();
    reader.cancel(err).catch(noop);
    // Not started: the transport answers 500. Started: it closes the connection.
    throw err;
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value);
  throw new TypeError('Response body stream chunks must be Uint8Array');
}

function noop(): void {}
