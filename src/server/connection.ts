// One TCP connection: its state, the FIFO of exchanges in flight (responses leave strictly
// in request order), pauses and the write side's backpressure. The read path and the
// parser callbacks are in http-connection.ts, errors and closing in closing.ts, the
// upgrade hand-over in upgrade.ts: each a layer over this one.
import type { Socket } from 'node:net';
import * as llhttp from '../parser/llhttp.js';
import type { UpgradeHook } from '../types.js';
import { now } from './clock.js';
import { type Exchange, PHASE, RESPONSE, type ExchangeOwner } from './exchange.js';
import { normalizePeer } from './head-checks.js';
import { handleOf, queuedBytes, type StreamHandle } from './native-io.js';
import { writeDirect } from './output.js';
import { CONTINUE_100 } from './response-head.js';

export const EMPTY = Buffer.alloc(0);
/** One read buffer for every connection (net.Socket onread): reads are parsed before the next one. */
export const SHARED_READ = Buffer.allocUnsafeSlow(64 * 1024);
/** Why reading is paused: bits of Connection.pause. */
export const PAUSE = { PIPELINE: 1, BODY: 2, WRITE: 4, UPGRADE: 8 } as const;

/** What the trust stage read of a PROXY header (trust/resolve.ts readProxy). */
export interface ProxyRead {
  /** Header length (> 0), 0: more bytes needed, -1: close without an answer. */
  readonly consumed: number;
  /** The peer the connection uses from now on. */
  readonly peer: [string, number] | null;
  /** A trusted balancer terminated TLS in front (scheme https/wss). */
  readonly secure: boolean;
}

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
  /** TransportOptions.allowHalfOpen: false when a FIN counts as a disconnect. */
  readonly allowHalfOpen: boolean;
  readonly maxRequestsPerSocket: number;
  readonly writeHighWater: number;
  readonly proxyProtocol: boolean;
  readonly serverLine: Buffer;
  readonly dateLine: Buffer;
  readonly shuttingDown: boolean;
  readonly onUpgrade: UpgradeHook | null;
  acquire(conn: Connection): Exchange;
  release(ex: Exchange): void;
  /** The trust stage: client, scheme, host, root path. */
  resolveTrust(scope: Exchange['scope']): void;
  /** PROXY protocol: what the header at the start of `buf` from `tcpPeer` says. */
  parseProxy(buf: Buffer, tcpPeer: [string, number] | null): ProxyRead;
  /** Runs the app for a head that passed the checks. */
  dispatch(ex: Exchange): void;
  /** The socket leaves the transport (upgrade): a plain socket for the new owner. */
  detach(conn: Connection): Socket;
  forget(conn: Connection): void;
  debug(message: string): void;
  logError(message: string, err?: unknown): void;
  logWarning(message: string): void;
  /** ServerOptions.onResponse, or null. */
  readonly onResponse: unknown;
  /** Calls onResponse for an exchange whose response has ended. */
  responded(ex: Exchange): void;
}

export abstract class Connection implements ExchangeOwner {
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

  get dateLine(): Buffer {
    return this.core.dateLine;
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
    this.secure = (socket as { encrypted?: boolean }).encrypted === true; // served over node:tls
  }

  // ---- pauses --------------------------------------------------------------------

  protected setPause(bit: number): void {
    if (this.pause === 0) this.socket.pause();
    this.pause |= bit;
  }

  protected clearPause(bit: number): void {
    if ((this.pause & bit) === 0) return;
    this.pause &= ~bit;
    if (this.pause === 0 && !this.resumeQueued) {
      // Never re-enter llhttp from inside a callback: continue on the next tick.
      this.resumeQueued = true;
      process.nextTick(resumeReading, this);
    }
  }

  /** Reading may go on: parse what was stashed while paused, then resume the socket. */
  abstract resumeNow(): void;

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
      if (this.core.onResponse !== null && done.status !== 0) this.core.responded(done); // 0: aborted unanswered
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
      if (next?.upgradeAccepted) {
        this.upgradeTo(next);
        return;
      }
      if (next !== null && (next.deferred !== null || next.drainWaiter !== null)) this.takeTurn(next);
      // Its app asked for the body while an earlier response was still going out.
      if (next?.expectContinue && next.receiveWaiter !== null && this.sendContinue(next)) next.expectContinue = false;
    }
    if (this.inFlight < this.core.maxPipelined) this.clearPause(PAUSE.PIPELINE);
    if (this.first === null && this.closing) this.closeWhenFlushed();
  }

  maybeRelease(ex: Exchange): void {
    if (ex.responseState === RESPONSE.ENDED && !ex.appPending && (ex.phase === PHASE.DONE || this.closing) && !ex.queued && this.parsing !== ex) {
      this.core.release(ex);
    }
  }

  // ---- closing: the FIFO side (closing.ts has the rest) ---------------------------

  startClosing(): void {
    if (!this.closing) {
      this.closing = true;
      this.closingSince = now;
    }
  }

  /** Unlinks every exchange still queued; their apps see a disconnect and their output is dropped. */
  protected dropQueued(): void {
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

  protected unlink(ex: Exchange): void {
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

  /** Ill-formed or rejected request: answer `status` after the earlier responses, then close. */
  abstract fail(status: number): void;
  /** Nothing left in flight: write the pending error response, if any, and end the socket. */
  protected abstract closeWhenFlushed(): void;
  abstract appFailed(ex: Exchange, err: unknown): void;
  abstract appIncomplete(ex: Exchange): void;
  abstract abort(): void;
  abstract acceptUpgrade(ex: Exchange): void;
  /** Hands the socket over once `ex` is first; false when it cannot yet. */
  abstract upgradeTo(ex: Exchange): boolean;
}

function resumeReading(conn: Connection): void {
  conn.resumeNow();
}
