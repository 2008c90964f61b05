// Our RFC 6455 frame codec for the common case, a connection without permessage-deflate:
// frames parsed straight from the socket's reads (unmasked in place, a short text frame
// decoded with one latin1Slice), and the frames of one tick written in one socket.write
// from a shared slab. It replaces `ws`'s Receiver/Sender streams (a Writable per read, a
// write per frame); `ws` keeps the deflate case (session.ts). Every rule `ws` checks is
// here too: masking (§5.1), RSV bits and opcodes (§5.2), control frames (§5.5), close
// codes (§7.4), UTF-8 (§8.1), the message size limit (1009).
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';

/** What a FrameSocket reports to its owner (the ASGI session). */
export interface FrameEvents {
  /** A whole message: `text` for a text message, `bytes` for a binary one. */
  onMessage(text: string | undefined, bytes: Buffer | undefined): void;
  onPong(): void;
  /** The socket closed: the peer's close code (1005 without one, 1006 without a close frame). */
  onClosed(code: number, reason: string): void;
  onError(message: string): void;
}

const OP = { CONT: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;
/** Close codes (RFC 6455 §7.4). */
export const CLOSE = { NORMAL: 1000, PROTOCOL: 1002, NO_STATUS: 1005, ABNORMAL: 1006, BAD_DATA: 1007, TOO_BIG: 1009 } as const;
/** How long after our close frame the peer has to answer before the socket is destroyed (as `ws`). */
const CLOSE_TIMEOUT = 30_000;
/** Text frames up to this length are checked for ASCII in JS (cheaper than isUtf8 on a view). */
const ASCII_SCAN = 128;

// ---- output: one slab shared by all sockets, one write per socket per tick -------------

/**
 * Frames are appended to one slab; the socket that owns the open region writes it as one
 * buffer at the end of the tick, or when another socket starts writing. A region written
 * is never reused (the write may still hold it), the slab is replaced when full.
 */
const SLAB_SIZE = 64 * 1024;
/** Frames larger than this bypass the slab (header and payload written as they are). */
const SLAB_MAX_FRAME = 16 * 1024;
let slab = Buffer.allocUnsafe(SLAB_SIZE);
let slabPos = 0;
let owner: FrameSocket | null = null;
let ownerStart = 0;
let flushScheduled = false;

function flushOwner(): void {
  const o = owner;
  if (o === null) return;
  owner = null;
  if (slabPos > ownerStart && !o.socket.destroyed) o.socket.write(slab.subarray(ownerStart, slabPos));
  if (slabPos > SLAB_SIZE - SLAB_MAX_FRAME - 14) {
    slab = Buffer.allocUnsafe(SLAB_SIZE);
    slabPos = 0;
  }
}

function flushAtTickEnd(): void {
  flushScheduled = false;
  flushOwner();
}

/** Room for `need` bytes for `fs` at slabPos, in the region it owns. */
function claim(fs: FrameSocket, need: number): void {
  if (owner !== fs || slabPos + need > SLAB_SIZE) {
    flushOwner();
    if (slabPos + need > SLAB_SIZE) {
      slab = Buffer.allocUnsafe(SLAB_SIZE);
      slabPos = 0;
    }
    owner = fs;
    ownerStart = slabPos;
    if (!flushScheduled) {
      flushScheduled = true;
      process.nextTick(flushAtTickEnd);
    }
  }
}

/** A frame head (server frames are not masked) at `pos` of `buf`: its length. */
function writeHead(buf: Buffer, pos: number, op: number, len: number): number {
  buf[pos] = 0x80 | op;
  if (len < 126) {
    buf[pos + 1] = len;
    return 2;
  }
  if (len < 65536) {
    buf[pos + 1] = 126;
    buf[pos + 2] = len >>> 8;
    buf[pos + 3] = len & 0xff;
    return 4;
  }
  buf[pos + 1] = 127;
  buf.writeUInt32BE(Math.floor(len / 2 ** 32), pos + 2);
  buf.writeUInt32BE(len >>> 0, pos + 6);
  return 10;
}

/** Close codes a peer may send and we may send (RFC 6455 §7.4.1, §7.4.2; as `ws`). */
export function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** One websocket connection's frames, after the 101. */
export class FrameSocket {
  readonly socket: Socket;
  private readonly events: FrameEvents;
  private readonly maxSize: number;
  /** The start of a frame head split across reads (at most 13 bytes). */
  private pending: Buffer | null = null;
  /** A frame whose payload spans reads: its opcode, FIN, mask, the parts so far, bytes still to come. */
  private partOp = 0;
  private partFin = false;
  private partMask = 0;
  private parts: Buffer[] = [];
  private need = 0;
  /** A fragmented message in progress: its opcode (0: none), fragments, their bytes. */
  private fragOp = 0;
  private frags: Buffer[] = [];
  private fragBytes = 0;
  private closeSent = false;
  private closeReceived = false;
  /** No more frames are read (a close frame came, or the peer broke a rule). */
  private done = false;
  private peerCode: number = CLOSE.ABNORMAL;
  private peerReason = '';
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(socket: Socket, events: FrameEvents, maxSize: number) {
    this.socket = socket;
    this.events = events;
    this.maxSize = maxSize;
    socket.on('data', this.onData.bind(this));
    socket.on('end', this.onEnd.bind(this));
    socket.on('close', this.onClose.bind(this));
    socket.on('error', this.onError.bind(this));
  }

  /** Bytes written and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength + (owner === this ? slabPos - ownerStart : 0);
  }

  // ---- read ------------------------------------------------------------------------

  onData(chunk: Buffer): void {
    if (this.done) return;
    let buf = chunk;
    let p = 0;
    if (this.need > 0) {
      const take = Math.min(this.need, chunk.length);
      this.parts.push(take === chunk.length ? chunk : chunk.subarray(0, take));
      this.need -= take;
      p = take;
      if (this.need > 0) return;
      const payload = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
      this.parts = [];
      unmask(payload, 0, payload.length, this.partMask);
      this.frame(this.partOp, this.partFin, payload, 0, payload.length);
    } else if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const end = buf.length;
    while (p < end && !this.done) {
      const n = end - p;
      if (n < 2) break;
      const b0 = buf[p]!;
      const b1 = buf[p + 1]!;
      if ((b0 & 0x70) !== 0 || (b1 & 0x80) === 0) {
        this.fail(CLOSE.PROTOCOL); // RSV bits without an extension; an unmasked client frame
        return;
      }
      let len = b1 & 0x7f;
      let h = 6; // 2 + the mask key
      if (len === 126) {
        h = 8;
        if (n < h) break;
        len = (buf[p + 2]! << 8) | buf[p + 3]!;
      } else if (len === 127) {
        h = 14;
        if (n < h) break;
        len = buf.readUInt32BE(p + 2) * 2 ** 32 + buf.readUInt32BE(p + 6);
      }
      if (n < h) break;
      const bad = this.check(b0, len);
      if (bad !== 0) {
        this.fail(bad);
        return;
      }
      const op = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      const mask = buf.readInt32BE(p + h - 4);
      const s = p + h;
      if (end - s < len) {
        // The payload continues in later reads.
        this.partOp = op;
        this.partFin = fin;
        this.partMask = mask;
        this.parts.push(buf.subarray(s));
        this.need = len - (end - s);
        return;
      }
      unmask(buf, s, s + len, mask);
      this.frame(op, fin, buf, s, s + len);
      p = s + len;
    }
    if (p < end && !this.done) this.pending = Buffer.from(buf.subarray(p));
  }

  /** 0 when a frame head is allowed, else the close code (RFC 6455 §5.2, §5.5). */
  private check(b0: number, len: number): number {
    const op = b0 & 0x0f;
    if (op >= 8) {
      if (op > OP.PONG || (b0 & 0x80) === 0 || len > 125) return CLOSE.PROTOCOL;
      return 0;
    }
    if (op > OP.BINARY) return CLOSE.PROTOCOL;
    if (op === OP.CONT ? this.fragOp === 0 : this.fragOp !== 0) return CLOSE.PROTOCOL;
    if (this.fragBytes + len > this.maxSize) return CLOSE.TOO_BIG;
    return 0;
  }

  private frame(op: number, fin: boolean, buf: Buffer, s: number, e: number): void {
    switch (op) {
      case OP.TEXT:
      case OP.BINARY:
        if (fin) this.message(op, buf, s, e);
        else {
          this.fragOp = op;
          this.frags.push(buf.subarray(s, e));
          this.fragBytes = e - s;
        }
        return;
      case OP.CONT: {
        this.frags.push(buf.subarray(s, e));
        this.fragBytes += e - s;
        if (!fin) return;
        const whole = Buffer.concat(this.frags, this.fragBytes);
        const mop = this.fragOp;
        this.frags = [];
        this.fragOp = 0;
        this.fragBytes = 0;
        this.message(mop, whole, 0, whole.length);
        return;
      }
      case OP.CLOSE:
        this.peerClosed(buf, s, e);
        return;
      case OP.PING:
        if (!this.closeSent) this.writeFrame(OP.PONG, buf.subarray(s, e));
        return;
      case OP.PONG:
        this.events.onPong();
        return;
    }
  }

  private message(op: number, buf: Buffer, s: number, e: number): void {
    if (op === OP.BINARY) {
      this.events.onMessage(undefined, buf.subarray(s, e));
      return;
    }
    if (e - s <= ASCII_SCAN) {
      let i = s;
      while (i < e && buf[i]! < 0x80) i++;
      if (i === e) {
        this.events.onMessage(buf.latin1Slice(s, e), undefined);
        return;
      }
    }
    if (!isUtf8(buf.subarray(s, e))) {
      this.fail(CLOSE.BAD_DATA);
      return;
    }
    this.events.onMessage(buf.toString('utf8', s, e), undefined);
  }

  private peerClosed(buf: Buffer, s: number, e: number): void {
    const code = e - s >= 2 ? buf.readUInt16BE(s) : CLOSE.NO_STATUS;
    const bad = e - s === 1 || (e - s >= 2 && !validCloseCode(code)) ? CLOSE.PROTOCOL : e - s > 2 && !isUtf8(buf.subarray(s + 2, e)) ? CLOSE.BAD_DATA : 0;
    if (bad !== 0) {
      this.fail(bad);
      return;
    }
    const reason = e - s > 2 ? buf.toString('utf8', s + 2, e) : '';
    this.done = true;
    this.closeReceived = true;
    this.peerCode = code;
    this.peerReason = reason;
    // Echo the code (RFC 6455 §5.5.1), then the server closes the TCP connection first (§7.1.1).
    if (!this.closeSent) this.sendClose(code === CLOSE.NO_STATUS ? 0 : code, '');
    this.end();
  }

  /** The peer broke a rule: a close frame with `code`, then the connection ends. */
  private fail(code: number): void {
    this.done = true;
    this.events.onError(`websocket: closing with ${code}`);
    if (!this.closeSent) this.sendClose(code, '');
    this.end();
  }

  private onEnd(): void {
    // A FIN without a close frame: nothing more will come (the server socket allows half-open).
    this.done = true;
    this.end();
  }

  private onClose(): void {
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.events.onClosed(this.peerCode, this.peerReason);
  }

  private onError(err: Error): void {
    this.events.onError(`websocket: ${err.message}`);
  }

  private end(): void {
    if (owner === this) flushOwner();
    if (!this.socket.destroyed) this.socket.end();
  }

  // ---- write -----------------------------------------------------------------------

  sendText(text: string): void {
    if (text.length <= 41) {
      // At most 123 UTF-8 bytes: a 2-byte head, the text encoded straight into the slab.
      claim(this, 2 + text.length * 3);
      const n = slab.utf8Write(text, slabPos + 2);
      slab[slabPos] = 0x81;
      slab[slabPos + 1] = n;
      slabPos += 2 + n;
      return;
    }
    const len = Buffer.byteLength(text);
    if (len > SLAB_MAX_FRAME) {
      this.writeFrame(OP.TEXT, Buffer.from(text));
      return;
    }
    claim(this, 4 + len);
    slabPos += writeHead(slab, slabPos, OP.TEXT, len);
    slabPos += slab.utf8Write(text, slabPos);
  }

  sendBytes(bytes: Uint8Array): void {
    this.writeFrame(OP.BINARY, bytes);
  }

  ping(): void {
    this.writeFrame(OP.PING, EMPTY);
  }

  /** Our close frame (code 0: none); throws on a code or reason RFC 6455 does not allow. */
  close(code: number, reason: string): void {
    if (code !== 0 && !validCloseCode(code)) throw new TypeError(`Invalid WebSocket close code: ${code}`);
    if (Buffer.byteLength(reason) > 123) throw new RangeError('The WebSocket close reason must not be longer than 123 bytes');
    if (this.closeSent) return;
    this.sendClose(code, reason);
    if (this.closeReceived) this.end();
  }

  private sendClose(code: number, reason: string): void {
    this.closeSent = true;
    let payload = EMPTY;
    if (code !== 0) {
      payload = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
      payload.writeUInt16BE(code, 0);
      payload.utf8Write(reason, 2);
    }
    this.writeFrame(OP.CLOSE, payload);
    if (owner === this) flushOwner();
    this.closeTimer = setTimeout(destroy, CLOSE_TIMEOUT, this.socket);
    this.closeTimer.unref();
  }

  terminate(): void {
    this.done = true;
    this.socket.destroy();
  }

  /** Calls `cb` once the socket's queue has drained (at once when it is not full). */
  whenDrained(cb: () => void): void {
    if (owner === this) flushOwner();
    if (this.socket.writableNeedDrain) this.socket.once('drain', cb);
    else process.nextTick(cb);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  private writeFrame(op: number, payload: Uint8Array): void {
    const len = payload.length;
    if (this.socket.destroyed) return;
    if (len <= SLAB_MAX_FRAME) {
      claim(this, 4 + len);
      slabPos += writeHead(slab, slabPos, op, len);
      slab.set(payload, slabPos);
      slabPos += len;
      return;
    }
    if (owner === this) flushOwner(); // order: what this socket wrote before goes first
    const head = Buffer.allocUnsafe(10);
    const h = writeHead(head, 0, op, len);
    this.socket.cork();
    this.socket.write(head.subarray(0, h));
    this.socket.write(payload);
    this.socket.uncork();
  }
}

const EMPTY = Buffer.alloc(0);

function destroy(socket: Socket): void {
  socket.destroy();
}

/** XOR with the 4-byte mask key (as a big-endian int32), in place (RFC 6455 §5.3). */
function unmask(buf: Buffer, s: number, e: number, mask: number): void {
  if (mask === 0) return;
  const m0 = mask >>> 24;
  const m1 = (mask >>> 16) & 0xff;
  const m2 = (mask >>> 8) & 0xff;
  const m3 = mask & 0xff;
  let i = s;
  const e4 = s + ((e - s) & ~3);
  for (; i < e4; i += 4) {
    buf[i] = buf[i]! ^ m0;
    buf[i + 1] = buf[i + 1]! ^ m1;
    buf[i + 2] = buf[i + 2]! ^ m2;
    buf[i + 3] = buf[i + 3]! ^ m3;
  }
  if (i < e) buf[i] = buf[i]! ^ m0;
  if (i + 1 < e) buf[i + 1] = buf[i + 1]! ^ m1;
  if (i + 2 < e) buf[i + 2] = buf[i + 2]! ^ m2;
}
