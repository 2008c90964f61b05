// The read path of a connection: bytes from the socket (the shared read buffer, or a
// stash while reading is paused) into llhttp, the PROXY protocol header first when it is
// on, and llhttp's callbacks (ParserTarget) filling the exchange being parsed. Whatever
// must outlive a read is copied out of the shared buffer before the read returns.
import * as llhttp from '../parser/llhttp.js';
import { H } from '../parser/header-names.js';
import { LINE, MAX_CHUNK_EXTENSIONS, countChunkExt } from './chunk-ext.js';
import { now } from './clock.js';
import { ClosableConnection } from './closing.js';
import { EMPTY, PAUSE, SHARED_READ } from './connection.js';
import { type Exchange, PHASE, RESPONSE } from './exchange.js';
import { normalizePeer } from './head-checks.js';
import { HEAD_OK, checkHead, expectsContinue } from './head-rules.js';
import { beginRead, endRead, holdFlush, releaseFlush } from './output.js';
import { acceptUpgrade, handOver } from './upgrade.js';
import { ViewCache } from './views.js';

const SHARED_VIEWS = new ViewCache(SHARED_READ);
/** Request body bytes queued for an app that is not reading before the socket is paused. */
const BODY_HIGH_WATER = 64 * 1024;

export class HttpConnection extends ClosableConnection {
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

  /**
   * What still points into the shared read buffer is copied before the next read: the
   * exchanges in flight and those answered whose apps have not settled (deferCopy), and
   * the bytes after an upgrade head (now).
   */
  private unshare(): void {
    for (let ex = this.first; ex !== null; ex = ex.next) {
      if (ex.scope.raw.buf === SHARED_READ) deferCopy(ex);
    }
    // Slots are overwritten, never truncated: `length = 0` would free the backing store
    // and the next push would allocate it again, once per read.
    const lingering = this.lingering;
    for (let i = 0; i < this.lingeringCount; i++) {
      const ex = lingering[i]!;
      lingering[i] = null;
      if (ex.conn === this && ex.scope.raw.buf === SHARED_READ) deferCopy(ex);
    }
    this.lingeringCount = 0;
    const up = this.upgradeHead;
    if (up !== null && up.buffer === SHARED_READ.buffer) this.upgradeHead = Buffer.from(up);
  }

  private readProxyHeader(chunk: Buffer, len: number): number {
    const fresh = this.proxyLen === 0;
    const buf = fresh ? chunk.subarray(0, len) : this.holdProxy(chunk, len);
    // The parser bounds what it waits for (v1: 107 bytes, v2: 16 + its length field).
    const read = this.core.parseProxy(buf, this.peer);
    const r = read.consumed;
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
    this.peer = read.peer;
    if (read.secure) this.secure = true;
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
      if (ex?.bodyChunked && (ret === llhttp.ERROR.OK || ret === llhttp.ERROR.PAUSED)) {
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
        if (up?.upgradeAccepted) this.upgradeTo(up);
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
    if (this.core.onResponse !== null) ex.startedPrecise = performance.now();
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
    // The client's side of keep-alive; the response's side is Exchange.decideKeepAlive().
    const clientKeeps = keepAlive && !upgrade && (core.maxRequestsPerSocket === 0 || this.requests < core.maxRequestsPerSocket);
    // Anything but a final chunked was refused by checkHead.
    ex.headParsed(method === 'HEAD', upgrade, clientKeeps, raw.indexOfId(H.TRANSFER_ENCODING) >= 0);
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

  acceptUpgrade(ex: Exchange): void {
    acceptUpgrade(this, ex);
  }

  upgradeTo(ex: Exchange): boolean {
    return handOver(this, ex);
  }
}

// ---- the shared read buffer outlived by microtasks, not by reads -----------------------
//
// The next read overwrites SHARED_READ, and Node runs every queued microtask between two
// read callbacks. An app that answers from a microtask (an `async` middleware around a
// synchronous handler settles two or three hops later) is done with the request's bytes
// before then: copying its head at the end of the read, as for an app waiting on I/O,
// cost a Buffer and a copy per request. So the heads still in use are looked at again from
// microtasks: each look drops what was released since and, while something still points
// into the buffer, queues itself behind the microtasks queued meanwhile (a hop). After a few
// hops in a row in which no app answered and none finished (IDLE_HOPS while one is still
// unanswered, more while all have answered and are only unwinding their awaits), what is
// left is taken to wait on I/O, and a nextTick copies it: Node runs it after the microtask queue
// has drained (ticks queued by a microtask wait for the checkpoint) and before the next
// read. Before, that tick was queued for every read with an app still running: one more
// entry into JavaScript per keep-alive request of any async app, to find nothing to copy.
// Node's queueMicrotask() costs an AsyncResource and a bind per call, which is why a
// promise reaction is used. (Measured: see docs/design.md, "What a middleware costs".)

const sharing: (Exchange | null)[] = [];
let sharingCount = 0;
const SETTLED = Promise.resolve();
/** Hops in the current chain; hops in a row in which no app answered or finished. */
let hops = 0;
let idle = 0;
/** Exchanges of the list answered, still in use, at the last look. */
let lastAnswered = 0;
const MAX_HOPS = 64;
/** Idle hops before the copy while an app has not answered (it waits on I/O, most likely). */
const IDLE_HOPS = 4;
/** ... while all have answered: an app unwinds one await per hop or so (the realistic app: about 8). */
const UNWIND_HOPS = 16;

/** `ex` points into SHARED_READ: copied once microtasks are done unless it has been released by then. */
function deferCopy(ex: Exchange): void {
  sharing[sharingCount++] = ex;
  if (!looking) {
    looking = true;
    hops = idle = lastAnswered = 0;
    holdFlush();
    void SETTLED.then(lookAgain);
  }
}

/** A chain of lookAgain() hops is under way (and holds the output's flush). */
let looking = false;

function stopLooking(): void {
  looking = false;
  releaseFlush();
}

/** One hop: see the comment above. */
function lookAgain(): void {
  if (!looking) return; // copyShared() ran
  const before = sharingCount;
  let n = 0;
  let answered = 0;
  for (let i = 0; i < before; i++) {
    const ex = sharing[i]!;
    sharing[i] = null;
    if (!stillShares(ex)) continue;
    sharing[n++] = ex;
    if (ex.responseState === RESPONSE.ENDED) answered++;
  }
  sharingCount = n;
  if (n === 0) {
    stopLooking();
    return;
  }
  idle = n < before || answered > lastAnswered ? 0 : idle + 1;
  lastAnswered = answered;
  if (++hops < MAX_HOPS && idle < (answered < n ? IDLE_HOPS : UNWIND_HOPS)) {
    void SETTLED.then(lookAgain);
    return;
  }
  stopLooking();
  process.nextTick(copyShared);
}

/** Still in use (not back in the pool) and still pointing into the shared buffer. */
function stillShares(ex: Exchange): boolean {
  return ex.conn !== null && ex.scope.raw.buf === SHARED_READ;
}

/**
 * Copies the head of every exchange that still points into SHARED_READ, now. Runs at the
 * last hop; also to be called by code that writes SHARED_READ outside a read callback
 * (the in-process benchmark pipeline) before it does.
 */
export function copyShared(): void {
  if (looking) stopLooking();
  const n = sharingCount;
  sharingCount = 0;
  for (let i = 0; i < n; i++) {
    const ex = sharing[i]!;
    sharing[i] = null;
    if (stillShares(ex)) ex.spans.copy(ex.scope);
  }
}
