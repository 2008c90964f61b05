/**
 * Backpressure for responses waiting their turn (issue 11): a streamed response queued
 * behind an earlier one on the same connection (pipelining) is held in memory until its
 * turn, so its send() must wait like the head's once the connection holds more than
 * writeHighWater. The server runs in a child process and its RSS is read from /proc.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { serveListening as serve } from '../fetch/listening.js';
import { STREAM_CHUNK, startChild, type ChildServer } from './child.js';
import { quietLogger, sleep } from './wire.js';

const MiB = 1024 * 1024;
const REQUESTS = 10;

/** VmRSS and VmHWM (peak RSS) of `pid`, in bytes. */
function procMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kib = (field: string): number => Number(/\s(\d+) kB/.exec(status.slice(status.indexOf(field + ':')))![1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Waits until the child's RSS stops moving (three samples 200 ms apart within 1 MiB), at most `limit` ms. */
async function settle(pid: number, limit: number): Promise<void> {
  const t0 = Date.now();
  let last = procMemory(pid).rss;
  let still = 0;
  while (still < 3 && Date.now() - t0 < limit) {
    await sleep(200);
    const rss = procMemory(pid).rss;
    still = Math.abs(rss - last) < MiB ? still + 1 : 0;
    last = rss;
  }
}

/** One write of REQUESTS pipelined GETs (/1 … /10, ~41 bytes each, 10 * 41 + a close on the last). */
function pipelined(): string {
  let s = '';
  for (let n = 1; n <= REQUESTS; n++) s += `GET /${n} HTTP/1.1\r\nHost: a${n === REQUESTS ? '\r\nConnection: close' : ''}\r\n\r\n`;
  return s;
}

/**
 * De-chunks the response stream as it arrives and checks every body byte against what
 * idle-server.ts streamBody() sent: response n, body offset k → (n + k / 64 KiB) & 0xff.
 * Buffers only an unparsed tail, so hundreds of MiB pass through in constant memory.
 */
class StreamChecker {
  responses = 0;
  bytes = 0;
  lengths: number[] = [];
  error: string | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private state = 0; // 0 head, 1 size line, 2 data, 3 CRLF after data
  private left = 0;
  private offset = 0;
  private readonly refs = new Map<number, Buffer>();

  push(d: Buffer): void {
    this.bytes += d.length;
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    while (this.error === null && this.step());
  }

  private step(): boolean {
    const b = this.buf;
    if (this.state === 0 || this.state === 1 || this.state === 3) {
      const sep = this.state === 0 ? '\r\n\r\n' : '\r\n';
      const at = b.indexOf(sep);
      if (at < 0) return false;
      const line = b.subarray(0, at).toString('latin1');
      this.buf = b.subarray(at + sep.length);
      if (this.state === 0) {
        if (!/^HTTP\/1\.1 200 OK\r\n/.test(line) || !/\r\ntransfer-encoding: chunked/i.test(line)) this.error = `response ${this.responses + 1}: head ${JSON.stringify(line)}`;
        this.offset = 0;
        this.state = 1;
      } else if (this.state === 3) {
        if (at !== 0) this.error = 'chunk data longer than its size';
        this.state = 1;
      } else {
        const size = parseInt(line, 16);
        if (size === 0) {
          // last-chunk, then the (empty) trailer section's CRLF
          if (this.buf.length < 2) {
            this.buf = b; // wait for it
            return false;
          }
          this.buf = this.buf.subarray(2);
          this.lengths.push(this.offset);
          this.responses++;
          this.state = 0;
        } else {
          this.left = size;
          this.state = 2;
        }
      }
      return true;
    }
    if (b.length === 0) return false;
    const n = this.responses + 1;
    const inChunk = STREAM_CHUNK - (this.offset % STREAM_CHUNK);
    const take = Math.min(this.left, b.length, inChunk);
    const want = (n + Math.floor(this.offset / STREAM_CHUNK)) & 0xff;
    if (!b.subarray(0, take).equals(this.ref(want).subarray(0, take))) this.error = `response ${n}: wrong bytes at offset ${this.offset}`;
    this.offset += take;
    this.left -= take;
    this.buf = b.subarray(take);
    if (this.left === 0) this.state = 3;
    return true;
  }

  private ref(byte: number): Buffer {
    let r = this.refs.get(byte);
    if (r === undefined) this.refs.set(byte, (r = Buffer.alloc(STREAM_CHUNK, byte)));
    return r;
  }
}

/** Reads the connection to its end (bounded by `limit` ms). */
/** Reads the rest; every one of `responses` responses arrived whole (`bytes` each), in order, nothing malformed. */
async function readsAllInOrder(sock: net.Socket, check: StreamChecker, responses: number, bytes: number): Promise<void> {
  await readToEnd(sock, 30_000, check);
  assert.is(check.error, null);
  assert.is(check.responses, responses);
  assert.equal(check.lengths, new Array(responses).fill(bytes));
}

function readToEnd(sock: net.Socket, limit: number, check: StreamChecker): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not complete after ${limit} ms: ${check.responses} responses`)), limit);
    sock.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    sock.resume();
  });
}

async function connectPaused(port: number, check: StreamChecker): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  sock.on('error', () => {});
  sock.on('data', (d: Buffer) => check.push(d));
  sock.pause(); // read nothing until asked
  return sock;
}

/** Growth of the child's memory over `base` once it is still: RSS from /proc and array buffers, after two GCs. */
async function held(child: ChildServer, base: { rss: number; arrayBuffers: number }): Promise<{ rss: number; arrayBuffers: number }> {
  await settle(child.pid, 8000);
  const m = await child.measure(); // two full GCs: what is still referenced, not garbage waiting for V8
  return { rss: procMemory(child.pid).rss - base.rss, arrayBuffers: m.arrayBuffers - base.arrayBuffers };
}

async function baseline(child: ChildServer): Promise<{ rss: number; arrayBuffers: number }> {
  const m = await child.measure();
  return { rss: procMemory(child.pid).rss, arrayBuffers: m.arrayBuffers };
}

const mib = (n: number): string => (n / MiB).toFixed(1);

// 10 pipelined requests (~420 bytes in one write) for 32 MiB streamed in fresh 64 KiB
// chunks: 320 MiB of responses. Measured before the fix (x64, Node 20, two runs), after
// GC: RSS +40-47 MiB while the client read nothing (array buffers +37 MiB: loopback's
// kernel buffers take ~36 MiB of the head's stream, and the waiting responses ran on while
// they filled), +303 MiB once it had read ~55 MiB slowly (array buffers +283 MiB: each
// drain let every waiting response run on, so they were held nearly whole).
const CHUNKS = 512;
// Bound: a small multiple of writeHighWater (256 KiB): the socket queue, the bytes held for
// the waiting responses and one chunk per waiting send() come to ~1.2 MiB; the rest of the
// margin is for V8 and the allocator. Measured after the fix (five runs): RSS -3 to +8 MiB,
// array buffers +0.8-1.1 MiB.
const MAX_RSS = 32 * MiB;
const MAX_BUFFERS = 8 * MiB;

test('10 pipelined requests for 32 MiB streams, client reading nothing then slowly: server memory bounded, then every byte in order', async () => {
  const child = await startChild({ sendTimeout: 60_000, keepAliveTimeout: 60_000 }, 'stream', CHUNKS);
  const check = new StreamChecker();
  const sock = await connectPaused(child.port, check);
  try {
    const base = await baseline(child);
    sock.write(pipelined());
    const stalled = await held(child, base);
    // Then a slow reader: 20 ms of reading every 100 ms, ten times.
    for (let i = 0; i < 10; i++) {
      sock.resume();
      await sleep(20);
      sock.pause();
      await sleep(80);
    }
    const slow = await held(child, base);
    const peak = procMemory(child.pid).peak - base.rss;
    console.log(
      `  ${REQUESTS} pipelined ${(CHUNKS * STREAM_CHUNK) / MiB} MiB streams: server RSS +${mib(stalled.rss)} MiB (array buffers +${mib(stalled.arrayBuffers)}) reading nothing, ` +
        `+${mib(slow.rss)} MiB (+${mib(slow.arrayBuffers)}) after reading ${mib(check.bytes)} MiB slowly; peak +${mib(peak)} MiB before GC`,
    );
    for (const m of [stalled, slow]) {
      assert.ok(m.rss < MAX_RSS, `server RSS grew ${mib(m.rss)} MiB`);
      assert.ok(m.arrayBuffers < MAX_BUFFERS, `server array buffers grew ${mib(m.arrayBuffers)} MiB`);
    }
    await readsAllInOrder(sock, check, REQUESTS, CHUNKS * STREAM_CHUNK);
  } finally {
    sock.destroy();
    await child.stop();
  }
});

// An app that does not await send() is not slowed by the transport: every chunk is held
// (in order) until the socket takes it, so memory is the app's to bound, as with
// node:http's res.write() returning false (measured: array buffers +16 MiB of the 20 MiB
// sent, the rest in the kernel). The transport must still lose nothing, and every promise
// send() returned settles: the app awaits them all at the end (before the fix a send()
// that waited replaced the previous one's resolver, so 8 of 10 apps never finished).
const UNAWAITED_CHUNKS = 32; // 2 MiB a response

test('pipelined streams whose app does not await send(): nothing lost, nothing out of order', async () => {
  const child = await startChild({ sendTimeout: 60_000, keepAliveTimeout: 60_000 }, 'stream-unawaited', UNAWAITED_CHUNKS);
  const check = new StreamChecker();
  const sock = await connectPaused(child.port, check);
  try {
    const base = await baseline(child);
    sock.write(pipelined());
    const stalled = await held(child, base);
    console.log(
      `  send() not awaited: server RSS +${mib(stalled.rss)} MiB (array buffers +${mib(stalled.arrayBuffers)}) for ${REQUESTS} x ${(UNAWAITED_CHUNKS * STREAM_CHUNK) / MiB} MiB, reading nothing`,
    );
    await readsAllInOrder(sock, check, REQUESTS, UNAWAITED_CHUNKS * STREAM_CHUNK);
    // Still serving; the server's side of the connection closes just after the client's.
    let after = await child.measure();
    for (let i = 0; i < 20 && after.connections > 0; i++) {
      await sleep(100);
      after = await child.measure();
    }
    assert.is(after.connections, 0);
    assert.is(after.settled, REQUESTS, 'every app call settled (no send() promise left pending)');
  } finally {
    sock.destroy();
    await child.stop();
  }
});

// The fetch adapter streams a ReadableStream body through the same awaited send(), so a
// stream waiting its turn is read no further ahead than the transport will hold. Counted
// in pulls (in process: the stream's own reads are the measure). Measured while the client
// read nothing: before the fix every waiting stream kept pace with the head's (65, 65, 65,
// 65 pulls: 4 MiB each, until the kernel's buffers filled); after: 65, 5, 5, 5 (3 probe
// reads sent as one, one read pending and one chunk queued in the stream).
const FETCH_CHUNKS = 256; // 16 MiB a response
const FETCH_REQUESTS = 4;

test('fetch adapter: pipelined ReadableStream responses waiting their turn are read only a few chunks ahead', async () => {
  const pulled: number[] = new Array(FETCH_REQUESTS + 1).fill(0);
  const server = await serve({
    port: 0,
    logger: quietLogger(),
    sendTimeout: 60_000,
    fetch: (req: Request) => {
      const n = Number(new URL(req.url).pathname.slice(1));
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          const i = pulled[n]++;
          if (i === FETCH_CHUNKS) c.close();
          else c.enqueue(Buffer.alloc(STREAM_CHUNK, (n + i) & 0xff));
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/octet-stream' } });
    },
  });
  const check = new StreamChecker();
  const sock = await connectPaused(server.address().port, check);
  try {
    let req = '';
    for (let n = 1; n <= FETCH_REQUESTS; n++) req += `GET /${n} HTTP/1.1\r\nHost: a${n === FETCH_REQUESTS ? '\r\nConnection: close' : ''}\r\n\r\n`;
    sock.write(req);
    // Until the pulls stop moving (bounded): the head's stream fills the kernel's buffers first.
    let last = -1;
    for (let i = 0; i < 40 && pulled.reduce((a, b) => a + b) !== last; i++) {
      last = pulled.reduce((a, b) => a + b);
      await sleep(150);
    }
    const waiting = pulled.slice(2);
    console.log(`  fetch adapter, reading nothing: chunks pulled per stream ${pulled.slice(1).join(', ')} (of ${FETCH_CHUNKS})`);
    for (const p of waiting) assert.ok(p <= 16, `a stream waiting its turn was read ${p} chunks ahead`);
    await readsAllInOrder(sock, check, FETCH_REQUESTS, FETCH_CHUNKS * STREAM_CHUNK);
  } finally {
    sock.destroy();
    await server.close();
  }
});

test.run();
