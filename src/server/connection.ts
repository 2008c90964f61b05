// One TCP connection: feeds llhttp, keeps the exchanges in flight in a FIFO so responses
// leave strictly in request order, and applies limits, pauses and backpressure.
import type { Socket } from 'node:net';
import * as llhttp from '../parser/llhttp.js';
import { H } from '../parser/header-names.js';
import { Exchange, PHASE, RESPONSE, type ExchangeOwner } from './exchange.js';
import { CONTINUE_100, encodeHeaders } from './encode.js';
import { now } from './clock.js';
import { beginRead, endRead, flush, writeDirect } from './output.js';
import { handleOf, queuedBytes, type StreamHandle } from './native-io.js';
import { errorResponse } from './errors.js';
import { ViewCache } from './views.js';
import { LINE, MAX_CHUNK_EXTENSIONS, countChunkExt } from './chunk-ext.js';
import { normalizePeer } from './head-checks.js';
import { HEAD_OK, checkHead, expectsContinue } from './head-rules.js';
import type { UpgradeHook } from '../types.js';

const EMPTY = Buffer.alloc(0);
/** One read buffer for every connection (net.Socket onread): reads are parsed before the next one. */
export const SHARED_READ = Buffer.allocUnsafeSlow(64 * 1024);
const SHARED_VIEWS = new ViewCache(SHARED_READ);
const UPGRADE_HEADERS = encodeHeaders({ 'content-type': 'text/plain; charset=utf-8' });
const PAUSE = { PIPELINE: 1, BODY: 2, WRITE: 4, UPGRADE: 8 } as const;
/** Request body bytes queued for an app that is not reading before the socket is paused. */
const BODY_HIGH_WATER = 64 * 1024;

/**
 * What a connection needs of its server (server/core.ts): the limits, the exchange pool,
 * the stages a request goes through, and the server's bookkeeping. Declared here so that
 * the server depends on the connection and not both ways.
 */
export interface ConnectionContext {
  readonly maxHeaderSize: number;
  readonly maxUrlLength: number;
  readonly maxBodySize: number;
  readonly maxPipelined: number;
  readonly maxRequestsPerSocket: number;
  readonly writeHighWater: number;
  readonly proxyProtocol: boolean;
  readonly serverLine: Buffer;
  readonly shuttingDown: boolean;
  readonly onUpgrade: UpgradeHook | null;
  acquire(conn: Connection): Exchange;
  release(ex: Exchange): void;
  /** The trust stage: client, scheme, host, root path. */
  resolveTrust(scope: Exchange['scope']): void;
  /** PROXY protocol: bytes consumed (> 0), 0 when more are needed, -1 when invalid. */
  parseProxy(buf: Buffer, conn: Connection): number;
  /** Runs the app for a head that passed the checks. */
  dispatch(ex: Exchange): void;
  /** The socket leaves the transport (upgrade): a plain socket for the new owner. */
  detach(conn: Connection): Socket;
  forget(conn: Connection): void;
  debug(message: string): void;
  logError(message: string, err?: unknown): void;
}

export class Connection implements ExchangeOwner {
  readonly socket: Socket;
  readonly core: ConnectionContext;
  /** For direct writes (native-io.ts): set when the socket was adopted. */
  readonly handle: StreamHandle | null;
  parser: number;
  /** The FIFO of exchanges in flight: `first` is the one whose response may be written now. */
  first: Exchange | null = null;
  last: Exchange | null = null;
  parsing: Exchange | null = null;
  inFlight = 0;
  requests = 0;
  chunk: Buffer = EMPTY;
  pending: Buffer | null = null;
  pendingOff = 0;
  pause = 0;
  resumeQueued = false;
  closed = false;
  /** No further requests are read; close once the queue is empty. */
  closing = false;
  closingSince = 0;
  errorStatus = 0;
  lastActive: number;
  writeBlocked = false;
  writeBlockedSince = 0;
  /** Bytes of responses waiting their turn (Exchange.deferred): with the socket queue, held to writeHighWater. */
  held = 0;
  peer: [string, number] | null;
  localAddress: string;
  localPort: number;
  /** PROXY header bytes held until it is complete (proxyLen of them); null once read or when off. */
  proxyBuf: Buffer | null;
  proxyLen = 0;
  /** TLS was terminated in front of us (PROXY v2 SSL TLV from a trusted peer): scheme https/wss. */
  secure = false;
  upgradeHead: Buffer | null = null;
  /** The client sent FIN (see onEnd). */
  peerEnded = false;
  /** Answered during this read but not yet released (body or app still running). */
  readonly lingering: (Exchange | null)[] = [];
  lingeringCount = 0;
  /** Set on the exchange being parsed when a callback rejects it (status to answer). */
  rejectStatus = 0;
  /**
   * When the first byte after the last request arrived, blank lines included (llhttp
   * skips CRLFs before a request line without a callback, RFC 9112 §2.2); 0 while none.
   * headersTimeout runs from here, or a CRLF a second would hold the connection forever.
   */
  headSince = 0;
  /** When the connection was accepted: a PROXY header must arrive within headersTimeout of it. */
  readonly openedAt: number;
  /** Offsets in `chunk`: chunked-body framing from gapFrom on is not yet counted; sliceEnd ends the bytes being parsed. */
  gapFrom = 0;
  sliceEnd = 0;

  get serverLine(): Buffer {
    return this.core.serverLine;
  }

  constructor(socket: Socket, core: ConnectionContext, adopted: boolean) {
    this.socket = socket;
    this.core = core;
    this.handle = adopted ? handleOf(socket) : null;
    this.parser = llhttp.allocParser();
    this.lastActive = now;
    this.openedAt = now;
    const addr = socket.remoteAddress;
    this.peer = addr === undefined ? null : [normalizePeer(addr), socket.remotePort ?? 0];
    this.localAddress = socket.localAddress ?? '';
    this.localPort = socket.localPort ?? 0;
    this.proxyBuf = core.proxyProtocol ? EMPTY : null;
  }

  // ---- reading -------------------------------------------------------------------

  /**
   * chunk[0, len) was just read. `chunk` may be the shared read buffer (SHARED_READ),
   * which the next read overwrites: whatever must outlive this call is copied out by
   * unshare() before returning.
   */
  read(chunk: Buffer, len: number): void {
    this.lastActive = now;
    if (this.closing || this.closed) return; // nothing after an error or a close is answered
    if (this.upgradeHead !== null) {
      this.upgradeHead = Buffer.concat([this.upgradeHead, chunk.subarray(0, len)]);
      if (this.upgradeHead.length > BODY_HIGH_WATER) this.socket.pause(); // the hook reads the rest
      return;
    }
    if (this.pause !== 0) {
      this.stash(chunk, 0, len); // bytes already in flight when reading paused
      return;
    }
    let off = 0;
    if (this.proxyBuf !== null) {
      off = this.readProxyHeader(chunk, len);
      if (off < 0) return;
    }
    beginRead();
    this.feed(chunk, off, len);
    if (chunk === SHARED_READ) this.unshare();
    endRead();
  }

  /** Keeps chunk[start, end) (copied) to parse once reading resumes. */
  private stash(chunk: Buffer, start: number, end: number): void {
    const prev = this.pending === null ? EMPTY : this.pending.subarray(this.pendingOff);
    this.pending = Buffer.concat([prev, chunk.subarray(start, end)]);
    this.pendingOff = 0;
  }

  /** Copies every span that still points into the shared read buffer. */
  private unshare(): void {
    for (let ex = this.first; ex !== null; ex = ex.next) {
      if (ex.scope.raw.buf === SHARED_READ) ex.spans.copy(ex.scope);
    }
    // Slots are overwritten, never truncated: `length = 0` would free the backing store
    // and the next push would allocate it again, once per read.
    const lingering = this.lingering;
    for (let i = 0; i < this.lingeringCount; i++) {
      const ex = lingering[i]!;
      lingering[i] = null;
      if (ex.conn === this && ex.scope.raw.buf === SHARED_READ) ex.spans.copy(ex.scope);
    }
    this.lingeringCount = 0;
    const up = this.upgradeHead;
    if (up !== null && up.buffer === SHARED_READ.buffer) this.upgradeHead = Buffer.from(up);
  }

  private readProxyHeader(chunk: Buffer, len: number): number {
    const fresh = this.proxyLen === 0;
    const buf = fresh ? chunk.subarray(0, len) : this.holdProxy(chunk, len);
    // The parser bounds what it waits for (v1: 107 bytes, v2: 16 + its length field).
    const r = this.core.parseProxy(buf, this);
    if (r === 0) {
      if (fresh) this.holdProxy(chunk, len);
      return -1;
    }
    if (r < 0) {
      this.socket.destroy(); // malformed or missing PROXY header: close without answering
      return -1;
    }
    this.proxyBuf = null;
    this.proxyLen = 0;
    // A v2 TCP6 source may be IPv4-mapped (::ffff:a.b.c.d): the same form as socket peers.
    if (this.peer !== null) this.peer[0] = normalizePeer(this.peer[0]);
    if (!fresh) {
      beginRead();
      this.feed(buf, r, buf.length);
      endRead();
      return -1;
    }
    return r;
  }

  /** Appends chunk[0, len) to the held PROXY bytes, growing by doubling (a header trickled a byte per read stays linear). */
  private holdProxy(chunk: Buffer, len: number): Buffer {
    let store = this.proxyBuf!;
    const need = this.proxyLen + len;
    if (need > store.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, store.length * 2, 128));
      store.copy(grown, 0, 0, this.proxyLen);
      store = this.proxyBuf = grown;
    }
    chunk.copy(store, this.proxyLen, 0, len);
    this.proxyLen = need;
    return store.subarray(0, need);
  }

  private feed(chunk: Buffer, off: number, len: number): void {
    const p = this.parser;
    // Only CR and LF are skipped before a request line; any other byte begins one (onMessageBegin).
    // Stored only then: storing `now` on every read cost 16 heap bytes a request (bench/micro heap B/req 160 → 176).
    if (this.parsing === null && this.headSince === 0 && off < len && (chunk[off] === 0x0d || chunk[off] === 0x0a)) this.headSince = now;
    while (off < len) {
      const end = Math.min(len, off + llhttp.INPUT_SIZE);
      this.chunk = chunk;
      this.gapFrom = off;
      this.sliceEnd = end;
      const input = off === 0 ? (chunk === SHARED_READ ? SHARED_VIEWS.get(end) : end === chunk.length ? chunk : chunk.subarray(0, end)) : chunk.subarray(off, end);
      const ret = llhttp.execute(p, this, input, off);
      const ex = this.parsing;
      if (ex !== null && ex.phase === PHASE.HEAD && !ex.spans.owned && ret === llhttp.ERROR.OK) ex.spans.copy(ex.scope);
      // A chunk-size line still arriving (an endless extension) is counted here, not only at the next data.
      if (ex !== null && ex.bodyChunked && (ret === llhttp.ERROR.OK || ret === llhttp.ERROR.PAUSED)) {
        if (this.countExt(ex, ret === llhttp.ERROR.OK ? end : llhttp.errorOffset(p))) {
          if (ret === llhttp.ERROR.PAUSED) llhttp.resume(p);
          this.fail(413);
          break;
        }
      }
      if (ret === llhttp.ERROR.OK) {
        off = end;
        continue;
      }
      if (ret === llhttp.ERROR.PAUSED) {
        const at = llhttp.errorOffset(p);
        llhttp.resume(p);
        if (!this.closing) this.stash(chunk, at, len);
        break;
      }
      if (ret === llhttp.ERROR.PAUSED_UPGRADE) {
        this.upgradeHead = chunk.subarray(llhttp.errorOffset(p), len);
        // No socket.pause(): reading goes on into upgradeHead (bounded in read()), so a
        // client that resets while the app decides is noticed (http.disconnect).
        this.pause |= PAUSE.UPGRADE;
        const up = this.last;
        if (up !== null && up.upgradeAccepted) this.upgradeTo(up);
        // Refused (answered) inside the callback, before this pause: closeWhenFlushed() has
        // run already, so read on to see the client's FIN, or 'close' never comes.
        else if (this.closing && this.first === null && !this.closed) this.socket.resume();
        break;
      }
      this.parseError(ret);
      break;
    }
    this.chunk = EMPTY;
  }

  private parseError(errno: number): void {
    let status = 400;
    if (this.rejectStatus !== 0) status = this.rejectStatus;
    else if (errno === llhttp.ERROR.INVALID_METHOD) status = 501;
    // llhttp reports line-syntax errors around the version (bare LF, 'HTTP/1.1x') as
    // INVALID_VERSION too: 505 only for a well-formed version it does not support.
    else if (errno === llhttp.ERROR.INVALID_VERSION) status = llhttp.errorReason(this.parser) === 'Invalid HTTP version' ? 505 : 400;
    this.core.debug(`parse error ${errno} (${llhttp.errorReason(this.parser)}) → ${status}`);
    this.fail(status);
  }

  // ---- llhttp callbacks (ParserTarget) ---------------------------------------------

  onMessageBegin(): number {
    const ex = this.core.acquire(this);
    if (this.headSince !== 0) {
      ex.startedAt = this.headSince;
      this.headSince = 0;
    } else ex.startedAt = now;
    ex.scope.raw.buf = this.chunk;
    ex.queued = true;
    if (this.last === null) this.first = this.last = ex;
    else {
      this.last.next = ex;
      this.last = ex;
    }
    this.parsing = ex;
    this.inFlight++;
    this.requests++;
    return 0;
  }

  onUrl(off: number, len: number): number {
    const ex = this.parsing!;
    ex.spans.url(ex.scope, this.chunk, off, len);
    const max = this.core.maxUrlLength;
    if (max > 0 && ex.scope.urlEnd - ex.scope.urlStart > max) return this.reject(414);
    return this.checkHeadSize(ex);
  }

  onHeaderField(off: number, len: number): number {
    const ex = this.parsing!;
    if (ex.phase !== PHASE.HEAD) return this.trailer(ex, len);
    if (!ex.spans.field(ex.scope, this.chunk, off, len)) return this.reject(431);
    this.gapFrom = off + len;
    return this.checkHeadSize(ex);
  }

  onHeaderValue(off: number, len: number): number {
    const ex = this.parsing!;
    if (ex.phase !== PHASE.HEAD) return this.trailer(ex, len);
    ex.spans.value(ex.scope, this.chunk, off, len);
    this.gapFrom = off + len;
    return this.checkHeadSize(ex);
  }

  /**
   * A trailer field (after a chunked body) is counted against maxHeaderSize and dropped:
   * merged into the head it would change headers the trust stage and middlewares have
   * already checked (RFC 9110 §6.5.1 lets a recipient discard trailers).
   */
  private trailer(ex: Exchange, len: number): number {
    ex.spans.headBytes += len;
    return this.checkHeadSize(ex);
  }

  /**
   * Counts the chunk framing in chunk[gapFrom, stop) (chunk-ext.ts): extension bytes have a
   * limit of their own (node:http's 16 KiB) and count toward maxBodySize. True when past either.
   */
  private countExt(ex: Exchange, stop: number): boolean {
    const n = countChunkExt(ex, this.chunk, this.gapFrom, stop);
    this.gapFrom = stop;
    if (n === 0) return false;
    ex.bodyBytes += n;
    return ex.extBytes > MAX_CHUNK_EXTENSIONS || ex.bodyBytes > this.core.maxBodySize;
  }

  private checkHeadSize(ex: Exchange): number {
    return ex.spans.headBytes > this.core.maxHeaderSize ? this.reject(431) : 0;
  }

  private reject(status: number): number {
    this.rejectStatus = status;
    return -1;
  }

  onHeadersComplete(upgrade: boolean, keepAlive: boolean): number {
    const ex = this.parsing!;
    const scope = ex.scope;
    const raw = scope.raw;
    const p = this.parser;
    raw.intern();
    const major = llhttp.versionMajor(p);
    const minor = llhttp.versionMinor(p);
    const method = llhttp.method(p);
    const core = this.core;
    const verdict = checkHead(raw, major, minor, method, core.maxBodySize);
    if (verdict !== HEAD_OK) return this.reject(verdict);
    scope.httpVersion = minor === 0 ? '1.0' : '1.1';
    scope.method = method;
    ex.expectContinue = expectsContinue(raw, minor);
    ex.keepAlive = keepAlive && (core.maxRequestsPerSocket === 0 || this.requests < core.maxRequestsPerSocket);
    ex.isHeadRequest = method === 'HEAD';
    ex.upgrade = upgrade;
    ex.bodyChunked = raw.indexOfId(H.TRANSFER_ENCODING) >= 0; // anything but a final chunked was refused by checkHead
    if (upgrade) ex.keepAlive = false; // a refused upgrade ends the connection
    ex.phase = PHASE.BODY;
    scope.type = upgrade ? 'websocket' : 'http';
    scope.scheme = upgrade ? (this.secure ? 'wss' : 'ws') : this.secure ? 'https' : 'http';
    scope.peer = this.peer;
    scope.client = this.peer;
    scope.localAddress = this.localAddress;
    scope.localPort = this.localPort;
    core.resolveTrust(scope);
    ex.dispatched = true;
    core.dispatch(ex);
    return 0;
  }

  onBody(off: number, len: number): number {
    const ex = this.parsing!;
    if (ex.bodyChunked) {
      if (this.countExt(ex, off)) return this.reject(413);
      ex.lineState = LINE.BEFORE;
      ex.lineDigits = 0;
      this.gapFrom = off + len;
    }
    ex.bodyBytes += len;
    if (ex.bodyBytes > this.core.maxBodySize) return this.reject(413);
    if (ex.responseState === RESPONSE.ENDED || this.closed) return 0; // answered already: the rest is read and dropped
    const chunk = this.chunk;
    // A view is enough for a Buffer Node allocated for this read; the shared buffer is reused.
    ex.pushBody(chunk === SHARED_READ ? Buffer.from(chunk.subarray(off, off + len)) : chunk.subarray(off, off + len));
    if (ex.bodyQueued > BODY_HIGH_WATER) {
      this.setPause(PAUSE.BODY);
      return llhttp.ERROR.PAUSED;
    }
    return 0;
  }

  onMessageComplete(): number {
    const ex = this.parsing!;
    // The last chunk's line ("0;ext" CRLF) ends in this slice: count it before the message ends.
    if (ex.bodyChunked && this.countExt(ex, this.sliceEnd)) return this.reject(413);
    this.parsing = null;
    ex.spans.end();
    ex.bodyBytes -= 0;
    ex.endBody();
    this.maybeRelease(ex);
    if (ex.upgrade) return 0; // llhttp stops with PAUSED_UPGRADE
    if (!ex.keepAlive) {
      this.startClosing();
      return llhttp.ERROR.PAUSED;
    }
    if (this.inFlight >= this.core.maxPipelined) this.setPause(PAUSE.PIPELINE);
    return this.pause !== 0 ? llhttp.ERROR.PAUSED : 0;
  }

  // ---- pauses --------------------------------------------------------------------

  private setPause(bit: number): void {
    if (this.pause === 0) this.socket.pause();
    this.pause |= bit;
  }

  private clearPause(bit: number): void {
    if ((this.pause & bit) === 0) return;
    this.pause &= ~bit;
    if (this.pause === 0 && !this.resumeQueued) {
      // Never re-enter llhttp from inside a callback: continue on the next tick.
      this.resumeQueued = true;
      process.nextTick(resumeReading, this);
    }
  }

  resumeNow(): void {
    this.resumeQueued = false;
    if (this.pause !== 0 || this.closed) return;
    const pending = this.pending;
    if (pending !== null && !this.closing) {
      this.pending = null;
      beginRead();
      this.feed(pending, this.pendingOff, pending.length);
      endRead();
    }
    if (this.pause === 0 && !this.closed) this.socket.resume();
  }

  bodyConsumed(_ex: Exchange): void {
    this.clearPause(PAUSE.BODY);
  }

  // ---- writing -------------------------------------------------------------------

  keepsAlive(): boolean {
    return !this.closing && !this.core.shuttingDown;
  }

  afterFlush(): void {
    if (!this.writeBlocked && queuedBytes(this) > this.core.writeHighWater) {
      this.writeBlocked = true;
      // Exact time, not the coarse clock: `now` can be up to a second stale, which made
      // the sweep cut a client that reads steadily but slowly after a few ms of blocking
      // when sendTimeout is small. Taken only when the queue crosses writeHighWater.
      this.writeBlockedSince = Date.now();
      this.setPause(PAUSE.WRITE);
    }
  }

  /** A direct write libuv had queued is done. When the rest is past writeHighWater, the
   *  socket.write() calls behind it returned false and 'drain' follows. */
  onWritten(): void {
    if (this.writeBlocked && this.socket.writableLength <= this.core.writeHighWater) this.onDrain();
  }

  onDrain(): void {
    if (!this.writeBlocked) return;
    this.writeBlocked = false;
    this.clearPause(PAUSE.WRITE);
    this.wakeSenders();
  }

  /**
   * A response waiting its turn may hold more: the socket queue plus what the waiting
   * responses hold is within writeHighWater (else one pipelined connection could make
   * the server hold every queued stream whole).
   */
  hasRoom(): boolean {
    return this.held + queuedBytes(this) <= this.core.writeHighWater;
  }

  /** Wakes the head's waiting send(), and the others' when there is room. */
  private wakeSenders(): void {
    const room = this.hasRoom();
    for (let ex = this.first; ex !== null; ex = ex.next) {
      const d = ex.drainWaiter;
      if (d !== null && (ex === this.first || room)) {
        ex.drainWaiter = null;
        d();
      }
    }
  }

  /** `ex` reached the head: what it held goes out, and a send() waiting for room may go on. */
  private takeTurn(ex: Exchange): void {
    const d = ex.deferred;
    if (d !== null) {
      ex.deferred = null;
      for (let i = 0; i < d.length; i++) {
        this.held -= d[i].length;
        writeDirect(this, d[i]);
      }
    }
    if (!this.writeBlocked) this.wakeSenders();
  }

  /** Writes 100 Continue if `ex` may write now; false when it has to wait its turn (see finish()). */
  sendContinue(ex: Exchange): boolean {
    if (ex.responseState !== RESPONSE.NONE || this.first !== ex || this.closed) return false;
    writeDirect(this, CONTINUE_100);
    return true;
  }

  /** An exchange's response ended: pop every finished exchange at the head, in order. */
  finish(ex: Exchange): void {
    if (ex !== this.first) return;
    while (this.first !== null && this.first.responseState === RESPONSE.ENDED) {
      const done: Exchange = this.first;
      this.first = done.next;
      if (this.first === null) this.last = null;
      done.next = null;
      done.queued = false;
      this.inFlight--;
      // A send() the app did not await before its last one: nothing of it is held any more.
      const d = done.drainWaiter;
      if (d !== null) {
        done.drainWaiter = null;
        d();
      }
      if (done === this.parsing) {
        // Answered before its body was all read: the rest is read and dropped (onBody),
        // so reading must not stay paused for a body nobody will take.
        done.bodyQueue = null;
        done.bodyQueued = 0;
        this.clearPause(PAUSE.BODY);
      }
      if (!done.keepAlive && done.phase !== PHASE.DONE) this.startClosing();
      if (done.expectContinue && done.phase !== PHASE.DONE) this.startClosing(); // body never asked for: the client may still send it
      if (!done.keepAlive) this.startClosing();
      // The app closed (or the body was close-delimited) after later requests were read:
      // nothing may follow a response that announced close (RFC 9112 §9.6).
      if ((done.appClose || done.closeAfter) && this.first !== null) this.dropQueued();
      this.maybeRelease(done);
      // Still referenced by its app or its body: unshare() copies its head if it lives past the read.
      if (done.conn !== null && done.scope.raw.buf === SHARED_READ) this.lingering[this.lingeringCount++] = done;
      const next = this.first;
      if (next !== null && next.upgradeAccepted) {
        this.upgradeTo(next);
        return;
      }
      if (next !== null && (next.deferred !== null || next.drainWaiter !== null)) this.takeTurn(next);
      // Its app asked for the body while an earlier response was still going out.
      if (next !== null && next.expectContinue && next.receiveWaiter !== null && this.sendContinue(next)) next.expectContinue = false;
    }
    if (this.inFlight < this.core.maxPipelined) this.clearPause(PAUSE.PIPELINE);
    if (this.first === null && this.closing) this.closeWhenFlushed();
  }

  maybeRelease(ex: Exchange): void {
    if (ex.responseState === RESPONSE.ENDED && !ex.appPending && (ex.phase === PHASE.DONE || this.closing) && !ex.queued && this.parsing !== ex) {
      this.core.release(ex);
    }
  }

  // ---- errors and closing ----------------------------------------------------------

  startClosing(): void {
    if (!this.closing) {
      this.closing = true;
      this.closingSince = now;
    }
  }

  /** Ill-formed or rejected request: answer `status` after the earlier responses, then close. */
  fail(status: number): void {
    if (this.closing && this.errorStatus !== 0) return;
    this.startClosing();
    this.errorStatus = status;
    this.pending = null;
    const ex = this.parsing;
    this.parsing = null;
    if (ex !== null) {
      if (!ex.dispatched) {
        this.unlink(ex);
        this.core.release(ex);
      } else {
        ex.disconnect();
        if (ex.responseState === RESPONSE.NONE) {
          ex.responseState = RESPONSE.ENDED; // the transport answers in its place
          ex.keepAlive = false;
          this.finish(ex);
          return;
        }
        this.errorStatus = 0; // its response has begun: the close is the only signal left
        this.maybeRelease(ex); // answered already (before its bad body): back to the pool
      }
    }
    if (this.first === null) this.closeWhenFlushed();
  }

  /** Unlinks every exchange still queued; their apps see a disconnect and their output is dropped. */
  private dropQueued(): void {
    let ex = this.first;
    this.first = this.last = null;
    this.errorStatus = 0;
    this.held = 0;
    while (ex !== null) {
      const next: Exchange | null = ex.next;
      ex.next = null;
      ex.queued = false;
      ex.deferred = null;
      this.inFlight--;
      ex.disconnect();
      this.maybeRelease(ex);
      ex = next;
    }
  }

  private unlink(ex: Exchange): void {
    let prev: Exchange | null = null;
    for (let e = this.first; e !== null; prev = e, e = e.next) {
      if (e !== ex) continue;
      if (prev === null) this.first = e.next;
      else prev.next = e.next;
      if (this.last === e) this.last = prev;
      e.next = null;
      e.queued = false;
      this.inFlight--;
      return;
    }
  }

  /**
   * Closes a connection with nothing in flight. Marked closing first: a request that
   * crosses our FIN on the wire is not read, so the app never runs a request whose
   * answer could not be sent (the client sees the close and may retry it safely).
   */
  closeIdle(): void {
    this.startClosing();
    this.closeWhenFlushed();
  }

  private closeWhenFlushed(): void {
    if (this.closed) return;
    const s = this.socket;
    if (this.errorStatus !== 0) {
      writeDirect(this, errorResponse(this.errorStatus));
      this.errorStatus = 0;
    } else {
      flushIfOwner();
    }
    if (!s.destroyed) s.end();
    // A paused socket never sees the client's FIN, so 'close' would wait for the linger
    // sweep: read on (read() drops everything once closing) until the client closes.
    if (this.pause !== 0) s.resume();
  }

  /** App threw or rejected: 500 if nothing was sent yet, otherwise the connection is closed. */
  appFailed(ex: Exchange, err: unknown): void {
    this.core.logError('Exception in application', err);
    if (ex.responseState === RESPONSE.NONE && !this.closed) {
      ex.keepAlive = ex.keepAlive && ex.phase === PHASE.DONE;
      ex.respond(500, null, 'Internal Server Error');
    } else if (ex.responseState !== RESPONSE.ENDED) {
      this.abort();
      this.abandon(ex);
      return;
    }
    this.maybeRelease(ex);
  }

  /** App returned without completing its response. */
  appIncomplete(ex: Exchange): void {
    if (this.closed) return this.abandon(ex); // client gone: nothing to answer
    if (ex.responseState === RESPONSE.NONE) {
      this.core.logError('Application returned without sending a response');
      ex.respond(500, null, 'Internal Server Error');
    } else {
      this.core.logError('Application returned without completing its response');
      this.abort();
      return this.abandon(ex);
    }
    this.maybeRelease(ex);
  }

  /**
   * The app has settled but its response can never complete (connection gone or cut):
   * the exchange counts as answered, so the FIFO moves on and it returns to the pool.
   */
  private abandon(ex: Exchange): void {
    if (ex.responseState !== RESPONSE.ENDED) {
      ex.responseState = RESPONSE.ENDED;
      this.finish(ex);
    }
    this.maybeRelease(ex);
  }

  abort(): void {
    flushIfOwner();
    this.socket.destroy();
  }

  /** Client sent FIN: answer what is in flight, then close (half-close still gets responses). */
  onEnd(): void {
    if (this.closed) return;
    const ex = this.parsing;
    if (ex !== null && !this.closing) {
      // EOF in the middle of a message: nothing more will come for it.
      this.parsing = null;
      if (!ex.dispatched) {
        this.unlink(ex);
        this.core.release(ex);
      } else {
        ex.disconnect();
        this.startClosing();
        this.maybeRelease(ex); // answered before its body ended: nobody else returns it
      }
    }
    // Responses in flight are still sent (half-close), but an app waiting in receive()
    // after its whole body is watching for the client to leave: tell it, as node:http
    // and uvicorn report a FIN as a disconnect.
    this.peerEnded = true;
    for (let e = this.first; e !== null; e = e.next) e.peerGone();
    this.startClosing();
    if (this.first === null) this.closeWhenFlushed();
  }

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.startClosing(); // closed implies closing: maybeRelease() may return what is held
    for (let ex = this.first; ex !== null; ex = ex.next) ex.disconnect();
    if (this.parsing !== null && this.parsing !== this.last) this.parsing.disconnect();
    const p = this.parsing;
    if (p !== null) {
      // The request being read when the connection went (a reset mid-head, or a body
      // still arriving after its answer): nothing more comes for it, so it goes back to
      // the pool now or when its app settles, instead of never.
      this.parsing = null;
      if (!p.dispatched) {
        this.unlink(p);
        this.core.release(p);
      } else this.maybeRelease(p);
    }
    llhttp.freeParser(this.parser);
    this.parser = 0;
    this.core.forget(this);
  }

  /** The app accepted an upgrade: hand over now, or once earlier responses are out. */
  acceptUpgrade(ex: Exchange): void {
    if (!ex.upgrade) throw new Error('websocket.accept on a request that is not an upgrade');
    if (this.core.onUpgrade === null) {
      ex.respond(426, UPGRADE_HEADERS, 'Upgrades are not enabled on this server\n');
      return;
    }
    ex.upgradeAccepted = true;
    this.upgradeTo(ex);
  }

  /** Upgrade accepted: hand the socket and the bytes read after the head to the hook. */
  upgradeTo(ex: Exchange): boolean {
    if (this.first !== ex || this.upgradeHead === null || this.closed) return false;
    flushIfOwner();
    const head = this.upgradeHead;
    this.upgradeHead = null;
    this.closed = true;
    const socket = this.core.detach(this);
    llhttp.freeParser(this.parser);
    this.parser = 0;
    this.core.onUpgrade!(ex.scope, socket, head);
    return true;
  }
}

function resumeReading(conn: Connection): void {
  conn.resumeNow();
}

function flushIfOwner(): void {
  flush();
}
