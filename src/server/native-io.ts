// Everything that reaches past net.Socket into Node's private handle API lives here,
// behind one switch (NATIVE_IO, off with FASTERAPI_NO_ONREAD=1), each part with its
// fallback where the runtime lacks it:
// - adopt(): the accepted handle re-wrapped with the `onread` option, so every read lands
//   in one shared buffer (fallback: the socket as it is, 'data' events);
// - readFromHandle(), writeToHandle(): reads and writes straight on the libuv handle
//   (Node's StreamBase), past net.Socket's stream code: on keep-alive hello that code was
//   ~10% of the server's CPU time (perf), its Writable state machine the larger part
//   (fallback, also under --pending-deprecation since process.binding warns there:
//   socket.write() and net.Socket's own read path);
// - release(): a plain socket over the handle again, for an upgrade's new owner.
//
// Writes: only when nothing else is queued on the socket, so order holds. A write the
// kernel does not take at once stays in libuv's queue, and every later write goes
// through socket.write() (behind it in the same queue) until both queues are empty.
// Reads: bytes go from the handle's callback to the connection; EOF and errors take
// net.Socket's own path.
import * as net from 'node:net';
import type { Socket } from 'node:net';

export interface DirectWriter {
  readonly socket: Socket;
  /** socket._handle, read once: the getter's lookup went megamorphic. Null: no direct writes. */
  readonly handle: StreamHandle | null;
  /** A write that libuv queued has finished (status < 0: failed, the socket is destroyed). */
  onWritten(): void;
}

interface WriteReq {
  handle: unknown;
  buffer: Uint8Array | null;
  writer: DirectWriter | null;
  oncomplete: ((this: WriteReq, status: number) => void) | null;
}

export interface StreamHandle {
  writeBuffer(req: WriteReq, data: Uint8Array): number;
  readonly writeQueueSize: number;
  onread: (this: StreamHandle, ab: unknown) => unknown;
}

interface StreamBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
  kReadBytesOrError: number;
}

/** Takes the bytes of each read: buf[0, n), a buffer the next read overwrites. */
export interface Reader {
  read(buf: Buffer, n: number): void;
}

/** writeToHandle results. */
export const FALLBACK = -1;
export const WRITTEN = 0;
export const QUEUED = 1;

/** The switch: FASTERAPI_NO_ONREAD=1 keeps every socket a plain net.Socket. */
export const NATIVE_IO = process.env.FASTERAPI_NO_ONREAD !== '1';

const binding = load();
/** One request object, reused for as long as writes finish synchronously. */
let spare: WriteReq | null = null;

function load(): StreamBinding | null {
  // process.binding is documentation-deprecated (DEP0111) and warns under
  // --pending-deprecation: then, or when asked, stay on socket.write().
  if (!NATIVE_IO || process.execArgv.includes('--pending-deprecation') || process.env.NODE_PENDING_DEPRECATION === '1') return null;
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap === 'function' && b.streamBaseState instanceof Int32Array && typeof b.kLastWriteWasAsync === 'number' && typeof b.kReadBytesOrError === 'number')
      return b as StreamBinding;
  } catch {
    // not in this runtime
  }
  return null;
}

/**
 * Writes `data` on the writer's socket through its handle when nothing is queued.
 * WRITTEN: the kernel has it (or the write failed and the socket was destroyed);
 * QUEUED: libuv holds `data` until onWritten(); FALLBACK: use socket.write().
 */
export function writeToHandle(w: DirectWriter, data: Uint8Array): number {
  const s = w.socket;
  const h = w.handle;
  if (h === null || s.writableLength !== 0 || s.writableEnded || h.writeQueueSize !== 0) return FALLBACK;
  const req = spare ?? new binding!.WriteWrap();
  spare = null;
  const err = h.writeBuffer(req, data);
  if (err !== 0) {
    s.destroy(); // EPIPE, ECONNRESET: the client is gone, as socket.write() would find
    return WRITTEN;
  }
  if (binding!.streamBaseState[binding!.kLastWriteWasAsync] === 0) {
    spare = req; // never handed to libuv
    return WRITTEN;
  }
  req.handle = h;
  req.buffer = data; // keeps the bytes alive while libuv holds them
  req.writer = w;
  req.oncomplete = onComplete;
  return QUEUED;
}

/** Bytes written but not yet taken by the kernel, in either queue. */
export function queuedBytes(w: DirectWriter): number {
  const h = w.handle;
  return h === null || w.socket.destroyed ? w.socket.writableLength : w.socket.writableLength + h.writeQueueSize;
}

/** The handle of an adopted socket, for direct writes; null where they are not available. */
export function handleOf(s: Socket): StreamHandle | null {
  const h = (s as unknown as { _handle: StreamHandle | null })._handle;
  return binding === null || h == null ? null : h;
}

function onComplete(this: WriteReq, status: number): void {
  const w = this.writer!;
  this.writer = null;
  this.buffer = null;
  if (status < 0) w.socket.destroy();
  else w.onWritten();
}

/** net.Socket's handler for its handle's reads (the same function for every socket). */
let socketOnread: StreamHandle['onread'] | null = null;

/**
 * Sends the reads of `s` (made with the onread option over `buf`) to `r` straight from
 * the handle. Returns false, changing nothing, where that is not available.
 */
export function readFromHandle(s: Socket, buf: Buffer, r: Reader): boolean {
  const h = (s as unknown as { _handle: StreamHandle | null })._handle;
  if (binding === null || h == null || typeof h.onread !== 'function') return false;
  if (socketOnread === null) socketOnread = h.onread;
  else if (h.onread !== socketOnread) return false;
  const state = binding.streamBaseState;
  const NREAD = binding.kReadBytesOrError;
  const fallback = socketOnread;
  // One function per connection (not per read): a lookup from the handle to its reader
  // went megamorphic and cost more than the closure.
  h.onread = function onread(this: StreamHandle, ab: unknown): unknown {
    const n = state[NREAD]!;
    if (n > 0) {
      r.read(buf, n);
      return undefined;
    }
    return fallback.call(this, ab); // 0, EOF or an error: net.Socket's own path
  };
  // A net.Socket made later over this handle (upgrade: core.detach) sets its own onread.
  return true;
}

const kAdopted = Symbol('fasterapi.adopted');
type Adoptable = Socket & { [kAdopted]?: boolean };

/**
 * Re-wraps an accepted handle in a net.Socket with the `onread` option over `buf`, so
 * reads reach `callback` without a Buffer or a 'data' event each (the server is created
 * with pauseOnConnect, so nothing was read yet). Returns the socket as it is, resumed,
 * where the handle is missing or NATIVE_IO is off.
 */
export function adopt(socket: Socket, buf: Buffer, callback: (this: Socket, n: number, buf: Buffer) => void): Socket {
  const handle = (socket as unknown as { _handle: unknown })._handle;
  // A TLS socket's handle carries ciphertext: it keeps node:tls's own read path.
  if (!NATIVE_IO || handle == null || (socket as { encrypted?: boolean }).encrypted === true) {
    socket.resume();
    return socket;
  }
  (socket as unknown as { _handle: unknown })._handle = null;
  socket.destroy(); // releases the server's count for the old wrapper; the handle lives on
  const s = new net.Socket({
    handle: handle as never,
    allowHalfOpen: true,
    readable: true,
    writable: true,
    onread: { buffer: buf, callback },
  } as net.SocketConstructorOpts) as Adoptable;
  s[kAdopted] = true;
  return s;
}

/** Whether adopt() re-wrapped `s` (reads come through its callback, not 'data' events). */
export function adopted(s: Socket): boolean {
  return (s as Adoptable)[kAdopted] === true;
}

/**
 * A plain net.Socket over the handle of `s` for a new owner (an upgrade), in the state
 * node:http's 'upgrade' event hands over: `readableFlowing` null, so the owner's first
 * `on('data')` starts the flow (a paused socket would need a resume() that `ws` never
 * calls). Our onread callback is fixed on an adopted wrapper, and the handle keeps
 * delivering into a user buffer (useUserBuffer cannot be undone), so the new socket gets
 * a buffer of its own and pushes copies: 'data' events as usual.
 */
export function release(s: Socket): Socket {
  if (!adopted(s)) {
    (s as { readableFlowing: boolean | null }).readableFlowing = null; // what node:http does before 'upgrade'
    return s;
  }
  const handle = (s as unknown as { _handle: unknown })._handle;
  (s as unknown as { _handle: unknown })._handle = null;
  s.destroy();
  return new net.Socket({
    handle: handle as never,
    allowHalfOpen: true,
    readable: true,
    writable: true,
    onread: { buffer: Buffer.allocUnsafe(64 * 1024), callback: pushCopy },
  } as net.SocketConstructorOpts);
}

function pushCopy(this: Socket, nread: number, buf: Buffer): boolean {
  return this.push(Buffer.from(buf.subarray(0, nread)));
}
