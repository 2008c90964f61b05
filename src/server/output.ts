// Output batching. Responses are encoded into one process-wide slab; the bytes one
// connection produces in a tick (one read, or one cascade of async handlers) leave in
// a single write, straight to the handle when nothing is queued (native-io.ts). If
// the kernel took it at once nothing references the region and it is reused, so the
// common case allocates nothing.
import { FALLBACK, QUEUED, WRITTEN, writeToHandle, type DirectWriter } from './native-io.js';
import { ViewCache } from './views.js';

const SLAB_SIZE = 256 * 1024;
/** Responses larger than this skip the slab (their body is written as its own buffer). */
export const SLAB_MAX_RESPONSE = 32 * 1024;

export interface Writer extends DirectWriter {
  /** A write left bytes queued: the writer checks them against its limit (backpressure). */
  afterFlush(): void;
}

let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let views = new ViewCache(slab);
let start = 0;
let pos = 0;
let owner: Writer | null = null;
let tickQueued = false;
let inRead = false;
/** holdFlush(): a later releaseFlush() in this turn flushes, no tick needed. */
let holding = false;

/** Buffer and position to encode `n` bytes for `w` into; call commit(newPos) after. */
export function reserve(w: Writer, n: number): Buffer {
  if (owner !== w) {
    flush();
    owner = w;
    if (!inRead && !holding && !tickQueued) {
      tickQueued = true;
      process.nextTick(flushTick);
    }
  }
  if (pos + n > slab.length) {
    flush();
    owner = w;
    if (pos + n > slab.length) {
      newSlab(Math.max(SLAB_SIZE, n));
    }
  }
  return slab;
}

export function position(): number {
  return pos;
}

export function commit(newPos: number): void {
  pos = newPos;
}

/** Writes what the current owner has batched. */
export function flush(): void {
  const w = owner;
  if (w === null) return;
  owner = null;
  if (pos === start) return;
  const socket = w.socket;
  if (!socket.destroyed) {
    if (writeOut(w, start === 0 ? views.get(pos) : slab.subarray(start, pos)) === WRITTEN) {
      pos = start; // written synchronously: the region is free again, nothing is queued
    } else {
      start = pos; // still referenced by the queued write
      if (slab.length - pos < SLAB_MAX_RESPONSE) newSlab(SLAB_SIZE);
      w.afterFlush();
    }
  } else {
    pos = start;
  }
}

/** Writes bytes that must follow what `w` has batched, keeping order. */
export function writeDirect(w: Writer, bytes: Uint8Array): void {
  if (owner === w) flush();
  if (!w.socket.destroyed) {
    if (writeOut(w, bytes) !== WRITTEN) w.afterFlush();
  }
}

/** One write for `w`: straight to the handle when it can, else socket.write(). WRITTEN or QUEUED. */
function writeOut(w: Writer, data: Uint8Array): number {
  const r = writeToHandle(w, data);
  if (r !== FALLBACK) return r;
  w.socket.write(data);
  return w.socket.writableLength === 0 ? WRITTEN : QUEUED;
}

function newSlab(size: number): void {
  slab = Buffer.allocUnsafeSlow(size);
  views = new ViewCache(slab);
  start = pos = 0;
}

function flushTick(): void {
  tickQueued = false;
  flush();
}

/** Marks a read callback: batches made inside it are flushed by endRead(). */
export function beginRead(): void {
  inRead = true;
}

export function endRead(): void {
  inRead = false;
  flush();
}

/**
 * Until releaseFlush(), what apps write after the read waits for it instead of a nextTick:
 * the caller (http-connection.ts, the shared-buffer check) releases within the same turn,
 * once the apps of the read have answered, so their answers leave in one write as with the
 * tick, without the extra entry into JavaScript the tick costs.
 */
export function holdFlush(): void {
  holding = true;
}

/** Writes the batch made while held, if any (flush() does nothing without an owner). */
export function releaseFlush(): void {
  holding = false;
  flush();
}
