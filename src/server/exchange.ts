// One request/response in flight on a connection: the pooled scope plus the transport's
// state for it. Exchanges and their bound receive/send are created once and reused, so
// serving a request allocates neither closures nor objects on the fast path.
import { Scope } from '../scope/scope.js';
import { SpanRecorder } from '../scope/spans.js';
import type { EncodedHeaders, ReceiveMessage, SendMessage } from '../types.js';
import { CONNECTION, CRLF, LAST_CHUNK, bodyless, headSize, headerLines, statusLine, writeHead } from './response-head.js';
import { isStatus } from '../http/fields.js';
import { SLAB_MAX_RESPONSE, commit, position, reserve, writeDirect } from './output.js';
import type { Writer } from './output.js';
import { LINE } from './chunk-ext.js';

export const PHASE = { HEAD: 0, BODY: 1, DONE: 2 } as const;
export const RESPONSE = { NONE: 0, STARTED: 1, HEAD_SENT: 2, ENDED: 3 } as const;

const EMPTY = Buffer.alloc(0);
const RESOLVED: Promise<void> = Promise.resolve();
const DISCONNECT: ReceiveMessage = Object.freeze({ type: 'http.disconnect' }) as ReceiveMessage;
const END_OF_BODY: ReceiveMessage = Object.freeze({ type: 'http.request', body: EMPTY, moreBody: false }) as ReceiveMessage;

/**
 * What an exchange needs of the connection it belongs to (server/connection.ts): its place
 * in the FIFO, the write side, and where it reports the end of its response and of its
 * app. Declared here so that the connection depends on the exchange and not both ways.
 */
export interface ExchangeOwner extends Writer {
  /** The exchange whose response may be written now (the FIFO's first). */
  readonly first: Exchange | null;
  readonly closed: boolean;
  readonly peerEnded: boolean;
  /** A status the connection will answer after the queued responses (then close), or 0. */
  readonly errorStatus: number;
  readonly writeBlocked: boolean;
  /** Bytes held by responses waiting their turn (counted by the exchange as it defers them). */
  held: number;
  /** 'server: …\r\n', or empty. */
  readonly serverLine: Buffer;
  /** The connection will read further requests (not closing, server not shutting down). */
  keepsAlive(): boolean;
  /** A response waiting its turn may hold more bytes. */
  hasRoom(): boolean;
  sendContinue(ex: Exchange): boolean;
  acceptUpgrade(ex: Exchange): void;
  bodyConsumed(ex: Exchange): void;
  /** The response of `ex` ended: the FIFO moves on. */
  finish(ex: Exchange): void;
  maybeRelease(ex: Exchange): void;
  appFailed(ex: Exchange, err: unknown): void;
  appIncomplete(ex: Exchange): void;
  /** Destroys the socket after flushing what is batched. */
  abort(): void;
}

export class Exchange {
  readonly scope = new Scope();
  conn: ExchangeOwner | null = null;
  next: Exchange | null = null;
  // request side
  phase: number = PHASE.HEAD;
  /** Where the URL and header spans are recorded (and copied when they outlive a read). */
  readonly spans = new SpanRecorder();
  keepAlive = true;
  upgrade = false;
  dispatched = false;
  /** Linked into its connection's FIFO (set on parse start, cleared when popped). */
  queued = false;
  upgradeAccepted = false;
  expectContinue = false;
  bodyBytes = 0;
  /** The request body is chunked: its framing is scanned for extensions (chunk-ext.ts). */
  bodyChunked = false;
  lineState: number = LINE.BEFORE;
  lineDigits = 0;
  extBytes = 0;
  bodyQueue: Buffer[] | null = null;
  bodyQueued = 0;
  bodyDelivered = false;
  receiveWaiter: ((m: ReceiveMessage) => void) | null = null;
  startedAt = 0;
  // response side
  /** RESPONSE.*: how far the response has gone; written only by the exchange. */
  responseState: number = RESPONSE.NONE;
  status = 200;
  headText = '';
  headFramed = false;
  /** Content-Length the app set on the ASGI path (-1: none) and body bytes counted against it. */
  declared = -1;
  counted = 0;
  chunked = false;
  isHeadRequest = false;
  closeAfter = false;
  /** The app's own header block says connection: close (the transport adds no second field). */
  appClose = false;
  /** Output held while an earlier exchange on the connection is still answering. */
  deferred: Uint8Array[] | null = null;
  appPending = false;
  drainWaiter: (() => void) | null = null;

  /** Made per request by bind(): valid for that request only. */
  receive: () => Promise<ReceiveMessage>;
  send: (a: SendMessage | number, head?: EncodedHeaders | null, body?: string | Uint8Array | null) => any;
  readonly onAppDone: () => void;
  readonly onAppError: (err: unknown) => void;
  /** Request generation: bumped by bind() on every reuse of this exchange. */
  gen = 0;

  constructor() {
    this.receive = this.send = RESOLVED_FN;
    this.bind();
    this.onAppDone = () => this.appSettled(null);
    this.onAppError = (err) => this.appSettled(err ?? new Error('app rejected'));
  }

  /**
   * New receive/send for the next request. An app that keeps the previous pair (a second
   * send from a timer, a late receive) would otherwise answer, or read the body of, the
   * unrelated request this pooled exchange serves next, on any connection. Two closures
   * per request: reset() 12 → 42 ns measured here (x64, Node 20, loaded box), tiny next to
   * the microseconds a request costs.
   */
  private bind(): void {
    const gen = ++this.gen;
    this.receive = () => (gen === this.gen ? this.doReceive() : Promise.resolve(DISCONNECT));
    this.send = (a, head, body) => {
      if (gen !== this.gen) return staleSend(a);
      return typeof a === 'number' ? this.respond(a, head ?? null, body ?? null) : this.doSend(a);
    };
  }

  reset(conn: ExchangeOwner): void {
    this.bind();
    this.scope.resetRequest();
    this.conn = conn;
    this.next = null;
    this.phase = PHASE.HEAD;
    this.spans.reset();
    this.keepAlive = true;
    this.upgrade = false;
    this.dispatched = false;
    this.queued = false;
    this.upgradeAccepted = false;
    this.expectContinue = false;
    this.bodyBytes = 0;
    this.bodyChunked = false;
    this.lineState = LINE.BEFORE;
    this.lineDigits = 0;
    this.extBytes = 0;
    this.bodyQueue = null;
    this.bodyQueued = 0;
    this.bodyDelivered = false;
    this.receiveWaiter = null;
    this.startedAt = 0;
    this.responseState = RESPONSE.NONE;
    this.status = 200;
    this.headText = '';
    this.headFramed = false;
    this.declared = -1;
    this.counted = 0;
    this.chunked = false;
    this.isHeadRequest = false;
    this.closeAfter = false;
    this.appClose = false;
    this.deferred = null;
    this.appPending = false;
    this.drainWaiter = null;
  }

  // ---- request body -------------------------------------------------------------

  /** A body span from the parser (a view over the read chunk, which is never reused). */
  pushBody(chunk: Buffer): void {
    const w = this.receiveWaiter;
    if (w !== null) {
      this.receiveWaiter = null;
      w({ type: 'http.request', body: chunk, moreBody: true });
      return;
    }
    if (this.bodyQueue === null) this.bodyQueue = [];
    this.bodyQueue.push(chunk);
    this.bodyQueued += chunk.length;
  }

  /** The parser reached the end of the request. */
  endBody(): void {
    this.phase = PHASE.DONE;
    const w = this.receiveWaiter;
    if (w !== null) {
      this.receiveWaiter = null;
      this.bodyDelivered = true;
      w(END_OF_BODY);
    }
  }

  /** The connection is gone or the request was cut off: wake a waiting receive(). */
  disconnect(): void {
    const w = this.receiveWaiter;
    if (w !== null) {
      this.receiveWaiter = null;
      w(DISCONNECT);
    }
    const d = this.drainWaiter;
    if (d !== null) {
      this.drainWaiter = null;
      d();
    }
  }

  /** The client sent FIN: a receive() waiting after the whole body gets http.disconnect. */
  peerGone(): void {
    if (this.bodyDelivered) this.wakeReceiver();
  }

  /** The response ended: a receive() still waiting gets http.disconnect. */
  private wakeReceiver(): void {
    const w = this.receiveWaiter;
    if (w !== null) {
      this.receiveWaiter = null;
      w(DISCONNECT);
    }
  }

  private doReceive(): Promise<ReceiveMessage> {
    const conn = this.conn;
    if (conn === null || conn.closed) return Promise.resolve(DISCONNECT);
    // Not yet the connection's turn to write: finish() sends it once it is.
    if (this.expectContinue && conn.sendContinue(this)) this.expectContinue = false;
    const q = this.bodyQueue;
    if (q !== null && q.length > 0) {
      const body = q.length === 1 ? q[0] : Buffer.concat(q, this.bodyQueued);
      q.length = 0;
      this.bodyQueued = 0;
      conn.bodyConsumed(this);
      const more = this.phase !== PHASE.DONE;
      if (!more) this.bodyDelivered = true;
      return Promise.resolve({ type: 'http.request', body, moreBody: more });
    }
    if (this.phase === PHASE.DONE && !this.bodyDelivered) {
      this.bodyDelivered = true;
      return Promise.resolve(END_OF_BODY);
    }
    // After the whole body, receive() waits for the disconnect or the end of the response
    // (ASGI: http.disconnect "if receive is called after a response has been sent or
    // after the HTTP connection has been closed"), so an app can watch for a client leaving.
    if (this.responseState === RESPONSE.ENDED || conn.peerEnded) return Promise.resolve(DISCONNECT);
    return new Promise((resolve) => {
      this.receiveWaiter = resolve;
    });
  }

  // ---- response -----------------------------------------------------------------

  /** Fast path: whole response in one call (see types.ts Send). */
  respond(status: number, head: EncodedHeaders | null, body: string | Uint8Array | null): void {
    if (this.responseState !== RESPONSE.NONE) throw new Error('Response already started');
    const conn = this.conn;
    if (conn === null) throw new Error('Response sent after the request ended');
    // Everything the app chose is checked before any state changes, so a throw here
    // leaves the exchange untouched and the app error becomes a clean 500. The head was
    // validated by encodeHeaders() when it was made: not again per request.
    statusLine(status);
    const noBody = bodyless(status);
    let len = 0;
    if (body !== null) {
      if (typeof body === 'string') {
        if (!noBody) len = Buffer.byteLength(body);
      } else if (body instanceof Uint8Array) len = noBody ? 0 : body.length;
      else throw new TypeError(`Response body must be a string, bytes or null, not ${typeof body}`);
    }
    const framed = head !== null && head.framed;
    if (framed && !noBody && !this.isHeadRequest) checkLength(head.length, len);
    this.status = status;
    if (head !== null && (head as { close?: boolean }).close === true) this.appClose = true; // encodeHeaders() flag
    const headBytes = head === null ? EMPTY : head.bytes;
    const withBody = !noBody && !this.isHeadRequest && len > 0;
    const size = this.headSize(headBytes.length, framed || noBody ? -1 : len) + (withBody && len <= SLAB_MAX_RESPONSE ? len : 0);
    const buf = this.target(size);
    let p = targetPos;
    p = this.writeHead(buf, p, headBytes, null, framed || noBody ? -1 : len, false);
    if (withBody && len <= SLAB_MAX_RESPONSE) {
      if (typeof body === 'string') p += buf.utf8Write(body, p);
      else {
        buf.set(body as Uint8Array, p);
        p += len;
      }
      this.commitTarget(buf, p);
    } else {
      this.commitTarget(buf, p);
      if (withBody) this.emitRaw(typeof body === 'string' ? Buffer.from(body) : (body as Uint8Array));
    }
    this.responseState = RESPONSE.ENDED;
    this.wakeReceiver();
    conn.finish(this);
  }

  private doSend(msg: SendMessage): Promise<void> {
    const conn = this.conn;
    if (conn === null || conn.closed) return RESOLVED;
    if (msg.type === 'http.response.start') {
      if (this.responseState !== RESPONSE.NONE) return Promise.reject(new Error('Response already started'));
      if (!isStatus(msg.status)) throw new RangeError(`Invalid status code: ${String(msg.status)}`);
      const lines = headerLines(msg.headers); // throws TypeError naming a bad header
      this.status = msg.status;
      this.headText = lines.text;
      this.headFramed = lines.framed;
      this.declared = lines.length;
      if (lines.close) {
        this.appClose = true;
        this.keepAlive = false; // read no further request on this connection
      }
      this.responseState = RESPONSE.STARTED;
      return RESOLVED;
    }
    if (msg.type === 'websocket.accept') {
      conn.acceptUpgrade(this);
      return RESOLVED;
    }
    if (msg.type !== 'http.response.body') return Promise.reject(new TypeError(`Unknown message type: ${(msg as { type: string }).type}`));
    if (this.responseState === RESPONSE.NONE) return Promise.reject(new Error('http.response.body before http.response.start'));
    if (this.responseState === RESPONSE.ENDED) return Promise.reject(new Error('Response already ended'));
    const raw = msg.body ?? EMPTY;
    const more = msg.moreBody === true;
    const noBody = bodyless(this.status) || this.isHeadRequest;
    let body: Uint8Array;
    if (typeof raw === 'string') body = Buffer.from(raw);
    else if (raw instanceof Uint8Array) body = raw;
    else return this.refuseBody(new TypeError(`http.response.body: body must be a string or bytes, not ${typeof raw}`), false);
    if (this.declared >= 0 && !noBody) {
      // The app's content-length frames the body (node:http: ERR_HTTP_CONTENT_LENGTH_MISMATCH):
      // no byte past it is written, and a body that ends short never leaves a kept-alive
      // connection waiting for the rest.
      const total = this.counted + body.length;
      if (total > this.declared || (!more && total < this.declared)) {
        const err = new TypeError(`Response body of ${more ? 'at least ' : ''}${total} bytes does not match its content-length ${this.declared}`);
        return this.refuseBody(err, !more);
      }
      this.counted = total;
    }
    if (this.responseState === RESPONSE.STARTED) {
      // First body message decides the framing: one message → content-length, else chunked.
      let length = -1;
      if (!this.headFramed && !bodyless(this.status)) {
        if (!more) length = body.length;
        else if (this.scope.httpVersion === '1.1') this.chunked = !this.isHeadRequest;
        else this.closeAfter = true; // HTTP/1.0 without a length: the close delimits the body
      }
      const headLen = Buffer.byteLength(this.headText, 'latin1');
      const inline = !noBody && body.length <= SLAB_MAX_RESPONSE ? body.length : 0;
      const buf = this.target(this.headSize(headLen, length) + inline + (this.chunked ? 12 : 0));
      let p = this.writeHead(buf, targetPos, null, this.headText, length, this.chunked);
      this.responseState = RESPONSE.HEAD_SENT;
      p = this.writeBody(buf, p, body, noBody, inline > 0);
      this.commitTarget(buf, p);
      if (!noBody && inline === 0 && body.length > 0) this.emitBodyRaw(body);
    } else if (!noBody && body.length > 0) {
      const inline = body.length <= SLAB_MAX_RESPONSE;
      const buf = this.target((inline ? body.length : 0) + 12);
      const p = this.writeBody(buf, targetPos, body, false, inline);
      this.commitTarget(buf, p);
      if (!inline) this.emitBodyRaw(body);
    }
    if (!more) {
      if (this.chunked) this.emitSmall(LAST_CHUNK);
      this.responseState = RESPONSE.ENDED;
      this.wakeReceiver();
      conn.finish(this);
      return RESOLVED;
    }
    // Waiting its turn (pipelined): its bytes are held, so it waits once the connection holds too much.
    // A dropped exchange (not queued, not ended) never writes, so it never waits: nothing would wake it.
    if (this.queued && (conn.writeBlocked || (conn.first !== this && !conn.hasRoom()))) return this.waitForRoom();
    return RESOLVED;
  }

  private waitForRoom(): Promise<void> {
    return new Promise((resolve) => {
      const prev = this.drainWaiter;
      // An app that did not await its previous send(): that promise resolves too.
      this.drainWaiter = prev === null ? resolve : () => {
        prev();
        resolve();
      };
    });
  }

  /**
   * A body message the transport will not write: nothing of it reaches the wire. Before
   * the head went out, the start is undone, so the app error becomes a 500 (appFailed).
   * After it, a body that ended off its content-length (`cut`) is closed at once, as
   * node:http destroys the socket: the client sees a cut message, never a desync.
   */
  private refuseBody(err: TypeError, cut: boolean): Promise<void> {
    if (this.responseState === RESPONSE.STARTED) {
      this.responseState = RESPONSE.NONE;
      this.headText = '';
      this.headFramed = false;
      this.declared = -1;
      this.counted = 0;
    } else if (cut) {
      this.conn!.abort();
    }
    return Promise.reject(err);
  }

  /** Chunk framing (when chunked) plus the bytes, or only the framing when the body is written raw. */
  private writeBody(buf: Buffer, p: number, body: Uint8Array, noBody: boolean, inline: boolean): number {
    if (noBody || body.length === 0) return p;
    if (this.chunked) {
      p += buf.latin1Write(body.length.toString(16), p);
      buf[p++] = 13;
      buf[p++] = 10;
    }
    if (inline) {
      buf.set(body, p);
      p += body.length;
      if (this.chunked) {
        buf[p++] = 13;
        buf[p++] = 10;
      }
    }
    return p;
  }

  private emitBodyRaw(body: Uint8Array): void {
    this.emitRaw(body);
    if (this.chunked) this.emitSmall(CRLF);
  }

  private emitSmall(bytes: Buffer): void {
    const buf = this.target(bytes.length);
    buf.set(bytes, targetPos);
    this.commitTarget(buf, targetPos + bytes.length);
  }

  private headSize(headLen: number, contentLength: number): number {
    return headSize(this.status, this.conn!.serverLine, headLen, contentLength);
  }

  /**
   * Whether the connection stays open after this response: the one place that decides
   * (the request asked for it and the connection may read on, see the conditions), and
   * records it in keepAlive for the connection to act on when the response is done.
   */
  private decideKeepAlive(): boolean {
    const conn = this.conn!;
    const keep =
      this.keepAlive && !this.closeAfter && !this.appClose &&
      // body announced with Expect and never asked for: the client may still send it
      !(this.expectContinue && this.phase !== PHASE.DONE) &&
      // a closing connection says close on its last response only (not before a queued one or an error response)
      (conn.keepsAlive() || this.next !== null || conn.errorStatus !== 0);
    if (!keep) this.keepAlive = false;
    return keep;
  }

  /** The head of this response (response-head.ts writes it): the connection field follows decideKeepAlive(). */
  private writeHead(buf: Buffer, p: number, headBytes: Buffer | null, headText: string | null, contentLength: number, chunked: boolean): number {
    const keep = this.decideKeepAlive();
    // The app's own `connection: close` is in its fields: no second one.
    const connection = !keep ? (this.appClose ? CONNECTION.NONE : CONNECTION.CLOSE) : this.scope.httpVersion === '1.0' ? CONNECTION.KEEP_ALIVE : CONNECTION.NONE;
    return writeHead(buf, p, this.status, this.conn!.serverLine, connection, headBytes, headText, contentLength, chunked);
  }

  // ---- where bytes go: the shared slab when this exchange may write now, else a deferred copy

  private target(size: number): Buffer {
    const conn = this.conn!;
    if (conn.first === this && !conn.closed) {
      const buf = reserve(conn, size);
      targetPos = position();
      return buf;
    }
    targetPos = 0;
    return Buffer.allocUnsafe(size);
  }

  private commitTarget(buf: Buffer, end: number): void {
    const conn = this.conn!;
    if (conn.first === this && !conn.closed) {
      commit(end);
    } else if (this.queued) {
      (this.deferred ??= []).push(buf.subarray(0, end));
      conn.held += end;
    } // else dropped from the queue (after a response that closed): its output goes nowhere
  }

  private emitRaw(bytes: Uint8Array): void {
    const conn = this.conn!;
    if (conn.first === this) writeDirect(conn, bytes);
    else if (this.queued) {
      (this.deferred ??= []).push(bytes);
      conn.held += bytes.length;
    }
  }

  // ---- app lifecycle -------------------------------------------------------------

  private appSettled(err: unknown): void {
    this.appPending = false;
    const conn = this.conn;
    if (conn === null) return;
    if (err !== null) conn.appFailed(this, err);
    else if (this.responseState !== RESPONSE.ENDED) conn.appIncomplete(this);
    else conn.maybeRelease(this);
  }
}

/** A body for a block with the app's content-length: the lengths must agree (checked before writing). */
function checkLength(declared: number | undefined, len: number): void {
  if (declared !== undefined && declared >= 0 && declared !== len) {
    throw new TypeError(`Response body of ${len} bytes does not match its content-length ${declared}`);
  }
}

function RESOLVED_FN(): Promise<never> {
  return RESOLVED as Promise<never>;
}

/** send() kept from a request that has ended: the app's bug, reported to it, never delivered. */
function staleSend(a: SendMessage | number): Promise<void> {
  const err = new Error('send() called for a request that has already ended; its exchange now serves another request');
  if (typeof a === 'number') throw err;
  return Promise.reject(err);
}

/** Position in the buffer returned by the last target() call. */
let targetPos = 0;
