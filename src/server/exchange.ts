// One request/response in flight on a connection: the pooled scope plus the transport's
// state for it (exchange-state.ts), its request body (request-body.ts) and, here, its
// response and the app's lifecycle. Exchanges are created once and reused; the one
// allocation a request makes on the fast path is its own receive/send pair (bind()).
import { isStatus } from '../http/fields.js';
import type { EncodedHeaders, ReceiveMessage, ResponseTrailersMessage, Send, SendMessage } from '../types.js';
import { DISCONNECT, EMPTY, type ExchangeOwner, PHASE, RESOLVED, RESPONSE, TRAILERS } from './exchange-state.js';
import { SLAB_MAX_RESPONSE, commit, position, reserve, writeDirect } from './output.js';
import { ExchangeBody } from './request-body.js';
import { CONNECTION, CRLF, FieldBytes, LAST_CHUNK, bodyless, checkTrailerField, customReason, eachField, encodeFields, headSize, statusLine, writeHead } from './response-head.js';

export { PHASE, RESPONSE, type ExchangeOwner } from './exchange-state.js';

export class Exchange extends ExchangeBody {
  /** Made per request by bind(): valid for that request only. */
  receive: () => Promise<ReceiveMessage>;
  /** The transport's own send (respond.ts tells it from a wrapper). */
  send: Send;
  readonly onAppDone: () => void;
  readonly onAppError: (err: unknown) => void;
  /** Request generation: bumped by bind() on every reuse of this exchange. */
  gen = 0;
  /** Makes the next request's receive/send (constructor: its context, holding only `ex`, is made once). */
  private readonly newPair: () => void;

  constructor() {
    super();
    this.receive = this.send = RESOLVED_FN;
    const ex = this;
    this.newPair = () => {
      // Named function expressions: each finds itself by its own name, so the pair needs
      // no per-request context; one still current is the exchange's receive/send.
      ex.receive = function receive(): Promise<ReceiveMessage> {
        return ex.receive === receive ? ex.doReceive() : Promise.resolve(DISCONNECT);
      };
      ex.send = function send(msg: SendMessage): Promise<void> {
        return ex.send === send ? ex.doSend(msg) : staleSend();
      };
    };
    this.bind();
    this.onAppDone = () => this.appSettled(null);
    this.onAppError = (err) => this.appSettled(err ?? new Error('app rejected'));
  }

  /**
   * New receive/send for the next request. An app that keeps the previous pair (a second
   * send from a timer, a late receive) would otherwise answer, or read the body of, the
   * unrelated request this pooled exchange serves next, on any connection. Two functions
   * per request, the whole of the static path's allocation: 128 heap B/request (Node 20,
   * 64 B each); as arrows sharing a context holding `gen` it was 160 (bench/micro alloc
   * rows "transport static", alloc-child.js).
   */
  private bind(): void {
    this.gen++;
    this.newPair();
  }

  reset(conn: ExchangeOwner): void {
    this.bind();
    this.resetState(conn);
  }

  // ---- response -----------------------------------------------------------------

  /** Fast path: whole response in one call (see types.ts Send); `reason` as on http.response.start. */
  respond(status: number, head: EncodedHeaders | null, body: string | Uint8Array | null, reason?: string): void {
    if (this.responseState !== RESPONSE.NONE) throw new Error('Response already started');
    const conn = this.conn;
    if (conn === null) throw new Error('Response sent after the request ended');
    // Everything the app chose is checked before any state changes, so a throw here
    // leaves the exchange untouched and the app error becomes a clean 500. The head was
    // validated by encodeHeaders() when it was made: not again per request.
    statusLine(status);
    const custom = reason === undefined ? null : customReason(status, reason);
    const noBody = bodyless(status);
    let len = 0;
    if (body !== null) {
      if (typeof body === 'string') {
        if (!noBody) len = Buffer.byteLength(body);
      } else if (body instanceof Uint8Array) len = noBody ? 0 : body.length;
      else throw new TypeError(`Response body must be a string, bytes or null, not ${typeof body}`);
    }
    const framed = head?.framed;
    if (framed && !noBody && !this.isHeadRequest) checkLength(head.length, len);
    this.status = status;
    this.reason = custom;
    if (head !== null && head.close === true) this.appClose = true;
    const headBytes = head === null ? EMPTY : head.bytes;
    const withBody = !noBody && !this.isHeadRequest && len > 0;
    const size = this.headSize(headBytes.length, framed || noBody ? -1 : len) + (withBody && len <= SLAB_MAX_RESPONSE ? len : 0);
    const buf = this.target(size);
    let p = targetPos;
    p = this.writeHead(buf, p, headBytes, headBytes.length, framed || noBody ? -1 : len, false);
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
      const reason = customReason(msg.status, msg.reason);
      const lines = (this.fields ??= new FieldBytes());
      encodeFields(msg.headers, lines); // throws TypeError naming a bad header
      this.status = msg.status;
      this.reason = reason;
      if (msg.trailers === true) this.trailers = TRAILERS.PROMISED;
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
    if (msg.type === 'http.response.trailers') return this.sendTrailers(conn, msg);
    if (msg.type === 'http.response.abort') {
      this.abortResponse(conn);
      return RESOLVED;
    }
    if (msg.type !== 'http.response.body') return Promise.reject(new TypeError(`Unknown message type: ${(msg as { type: string }).type}`));
    if (this.responseState === RESPONSE.NONE) return Promise.reject(new Error('http.response.body before http.response.start'));
    if (this.responseState === RESPONSE.ENDED || this.trailers >= TRAILERS.WAITING) return Promise.reject(new Error('Response already ended'));
    const raw = msg.body ?? EMPTY;
    const more = msg.moreBody === true;
    const noBody = bodyless(this.status) || this.isHeadRequest;
    // A string body is encoded straight into the output, not through a Buffer of its own.
    let body: string | Uint8Array;
    let bodyLen: number;
    if (typeof raw === 'string') {
      body = raw;
      bodyLen = Buffer.byteLength(raw);
    } else if (raw instanceof Uint8Array) {
      body = raw;
      bodyLen = raw.length;
    } else return this.refuseBody(new TypeError(`http.response.body: body must be a string or bytes, not ${typeof raw}`), false);
    if (this.declared >= 0 && !noBody) {
      // The app's content-length frames the body (node:http: ERR_HTTP_CONTENT_LENGTH_MISMATCH):
      // no byte past it is written, and a body that ends short never leaves a kept-alive
      // connection waiting for the rest.
      const total = this.counted + bodyLen;
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
        if (!more && this.trailers === TRAILERS.NONE) length = bodyLen;
        else if (this.scope.httpVersion === '1.1') this.chunked = !this.isHeadRequest;
        else this.closeAfter = true; // HTTP/1.0 without a length: the close delimits the body
      }
      const fields = this.fields!;
      const inline = !noBody && bodyLen <= SLAB_MAX_RESPONSE ? bodyLen : 0;
      const buf = this.target(this.headSize(fields.len, length) + inline + (this.chunked ? 12 : 0));
      let p = this.writeHead(buf, targetPos, fields.buf, fields.len, length, this.chunked);
      this.responseState = RESPONSE.HEAD_SENT;
      p = this.writeBody(buf, p, body, bodyLen, noBody, inline > 0);
      this.commitTarget(buf, p);
      if (!noBody && inline === 0 && bodyLen > 0) this.emitBodyRaw(body);
    } else if (!noBody && bodyLen > 0) {
      const inline = bodyLen <= SLAB_MAX_RESPONSE;
      const buf = this.target((inline ? bodyLen : 0) + 12);
      const p = this.writeBody(buf, targetPos, body, bodyLen, false, inline);
      this.commitTarget(buf, p);
      if (!inline) this.emitBodyRaw(body);
    }
    if (!more && this.trailers !== TRAILERS.NONE) {
      this.trailers = TRAILERS.WAITING; // the last chunk goes out with them
      return RESOLVED;
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
      this.drainWaiter =
        prev === null
          ? resolve
          : () => {
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
      this.headFramed = false;
      this.declared = -1;
      this.counted = 0;
    } else if (cut) {
      this.conn!.abort();
    }
    return Promise.reject(err);
  }

  /**
   * http.response.trailers (types.ts): the last chunk and the trailer section (RFC 9112
   * §7.1.2), written from the start fields' buffer, free once the head is out. Without a
   * chunked body there is no trailer section: the fields are checked, and dropped.
   */
  private sendTrailers(conn: ExchangeOwner, msg: ResponseTrailersMessage): Promise<void> {
    if (this.responseState === RESPONSE.ENDED) return Promise.reject(new Error('Response already ended'));
    if (this.trailers < TRAILERS.WAITING) {
      const why = this.trailers === TRAILERS.NONE ? 'without trailers: true on http.response.start' : 'before the last http.response.body';
      return Promise.reject(new Error(`http.response.trailers ${why}`));
    }
    const lines = this.fields!;
    if (msg.headers != null) eachField(msg.headers, checkTrailerField, null);
    encodeFields(msg.headers, lines); // throws TypeError naming a bad field
    const more = msg.moreTrailers === true;
    if (this.chunked) {
      const first = this.trailers === TRAILERS.WAITING;
      const buf = this.target(3 + lines.len + 2);
      let p = targetPos;
      if (first) p += buf.latin1Write('0\r\n', p);
      for (let i = 0; i < lines.len; i++) buf[p++] = lines.buf[i];
      if (!more) {
        buf[p++] = 13;
        buf[p++] = 10;
      }
      this.commitTarget(buf, p);
    }
    this.trailers = TRAILERS.WRITING;
    if (!more) {
      this.responseState = RESPONSE.ENDED;
      this.wakeReceiver();
      conn.finish(this);
    }
    return RESOLVED;
  }

  /**
   * http.response.abort (types.ts): this request gets no answer and the connection closes
   * at its turn: finish() closes after the responses before it and drops those after it.
   * Bytes of it already written can only be cut off, so then the connection is cut now.
   */
  private abortResponse(conn: ExchangeOwner): void {
    if (this.responseState === RESPONSE.ENDED) return;
    const written = this.responseState === RESPONSE.HEAD_SENT && conn.first === this;
    if (this.responseState !== RESPONSE.HEAD_SENT) this.status = 0; // nothing answered: no onResponse call
    this.responseState = RESPONSE.ENDED;
    this.keepAlive = false;
    this.closeAfter = true;
    const d = this.deferred;
    if (d !== null) {
      this.deferred = null;
      for (let i = 0; i < d.length; i++) conn.held -= d[i].length;
    }
    this.wakeReceiver();
    if (written) conn.abort();
    conn.finish(this);
  }

  /** The app failed before sending anything: 500, keeping the connection only if the body was read. */
  respondAppError(): void {
    this.keepAlive = this.keepAlive && this.phase === PHASE.DONE;
    this.respond(500, null, 'Internal Server Error');
  }

  /** Chunk framing (when chunked) plus the bytes, or only the framing when the body is written raw. */
  private writeBody(buf: Buffer, p: number, body: string | Uint8Array, len: number, noBody: boolean, inline: boolean): number {
    if (noBody || len === 0) return p;
    if (this.chunked) {
      p += buf.latin1Write(len.toString(16), p);
      buf[p++] = 13;
      buf[p++] = 10;
    }
    if (inline) {
      if (typeof body === 'string') p += buf.utf8Write(body, p);
      else {
        buf.set(body, p);
        p += len;
      }
      if (this.chunked) {
        buf[p++] = 13;
        buf[p++] = 10;
      }
    }
    return p;
  }

  private emitBodyRaw(body: string | Uint8Array): void {
    this.emitRaw(typeof body === 'string' ? Buffer.from(body) : body);
    if (this.chunked) this.emitSmall(CRLF);
  }

  private emitSmall(bytes: Buffer): void {
    const buf = this.target(bytes.length);
    buf.set(bytes, targetPos);
    this.commitTarget(buf, targetPos + bytes.length);
  }

  private headSize(headLen: number, contentLength: number): number {
    return headSize(this.conn!.serverLine, headLen, contentLength) + (this.reason === null ? 0 : this.reason.length);
  }

  /**
   * Whether the connection stays open after this response: the one place that decides
   * (the request asked for it and the connection may read on, see the conditions), and
   * records it in keepAlive for the connection to act on when the response is done.
   */
  private decideKeepAlive(): boolean {
    const conn = this.conn!;
    const keep =
      this.keepAlive &&
      !this.closeAfter &&
      !this.appClose &&
      // body announced with Expect and never asked for: the client may still send it
      !(this.expectContinue && this.phase !== PHASE.DONE) &&
      // a closing connection says close on its last response only (not before a queued one or an error response)
      (conn.keepsAlive() || this.next !== null || conn.errorStatus !== 0);
    if (!keep) this.keepAlive = false;
    return keep;
  }

  /** The head of this response (response-head.ts writes it): the connection field follows decideKeepAlive(). */
  private writeHead(buf: Buffer, p: number, fieldBytes: Buffer, fieldLen: number, contentLength: number, chunked: boolean): number {
    const keep = this.decideKeepAlive();
    // The app's own `connection: close` is in its fields: no second one.
    const connection = !keep ? (this.appClose ? CONNECTION.NONE : CONNECTION.CLOSE) : this.scope.httpVersion === '1.0' ? CONNECTION.KEEP_ALIVE : CONNECTION.NONE;
    return writeHead(buf, p, this.status, this.conn!.dateLine, this.conn!.serverLine, connection, fieldBytes, fieldLen, contentLength, chunked, this.reason);
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
function staleSend(): Promise<void> {
  return Promise.reject(new Error('send() called for a request that has already ended; its exchange now serves another request'));
}

/** Position in the buffer returned by the last target() call. */
let targetPos = 0;
