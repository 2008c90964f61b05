/**
 * Write backpressure: a client that asks for a lot and never reads cannot grow server
 * memory and is dropped after sendTimeout; a client that reads slowly still gets a long
 * streamed response complete and in order.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import type { App } from '../../src/index.js';
import { startChild } from './child.js';
import { sleep, startOurs } from './wire.js';
import { queuedBytes } from '../helpers/raw.js';

// Measured here (Node 20, x64, three runs): while 400 requests for 1 MiB (400 MiB of
// responses, each a fresh buffer) sit pipelined on a connection that never reads, 4 reach
// the app (reading stops once the socket queue passes writeHighWater), array buffers grow
// by 1.0 MiB and RSS by 3-13 MiB (freed 1 MiB buffers the allocator keeps). Asserted:
// array buffers < 8 MiB, RSS < 24 MiB (against 400 MiB unbounded), at most 16 app calls.
const MAX_GROWTH = 24 * 1024 * 1024;
const MAX_BUFFERS = 8 * 1024 * 1024;

test('a client that pipelines 400 requests for 1 MiB and never reads: bounded memory, dropped after sendTimeout', async () => {
  const child = await startChild({ sendTimeout: 2000, keepAliveTimeout: 60_000 }, 'big');
  const sock = net.connect(child.port, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    sock.on('error', () => {});
    sock.pause(); // never read a byte
    const base = await child.measure();
    const req = 'GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n';
    // 400 requests, written in batches while the server still accepts them.
    for (let i = 0; i < 20; i++) {
      sock.write(req.repeat(20));
      await sleep(20);
    }
    await sleep(500);
    const held = await child.measure();
    const rss = held.rss - base.rss;
    const buffers = held.arrayBuffers - base.arrayBuffers;
    console.log(
      `  never-reading client: ${held.appCalls - base.appCalls} of 400 requests reached the app; ` +
        `rss +${(rss / 1048576).toFixed(1)} MiB, array buffers +${(buffers / 1048576).toFixed(1)} MiB`,
    );
    assert.is(held.connections, 1);
    assert.ok(rss < MAX_GROWTH, `rss grew ${rss} bytes`);
    assert.ok(buffers < MAX_BUFFERS, `array buffers grew ${buffers} bytes`);
    assert.ok(held.appCalls - base.appCalls <= 16, `${held.appCalls - base.appCalls} requests dispatched while the client reads nothing`);
    // sendTimeout 2 s, checked by the once-a-second sweep.
    const t0 = Date.now();
    let m = held;
    while (m.connections > 0 && Date.now() - t0 < 6000) {
      await sleep(100);
      m = await child.measure();
    }
    const waited = Date.now() - t0 + 500 + 400; // + the time spent writing and settling above
    assert.is(m.connections, 0, 'connection dropped');
    assert.ok(waited < 4500, `dropped after ~${waited} ms (sendTimeout 2000 ms)`);
    const after = await child.measure();
    assert.ok(after.arrayBuffers - base.arrayBuffers < 4 * 1024 * 1024, 'queued responses freed with the connection');
  } finally {
    sock.destroy();
    await child.stop();
  }
});

/** Deterministic pseudo-random bytes (xorshift32), so client and server agree without sharing. */
function bytesAt(seed: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed | 1;
  for (let i = 0; i < n; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeInt32LE(x | 0, i);
  }
  return b;
}

const CHUNK = 64 * 1024;
const CHUNKS = 256; // 16 MiB

test('a slow reader of a 16 MiB streamed response gets every byte in order (sha256), memory held to writeHighWater', async () => {
  let serverHash = '';
  const app: App = async (_scope, _receive, send) => {
    const h = createHash('sha256');
    await send({ type: 'http.response.start', status: 200, headers: { 'content-type': 'application/octet-stream' } });
    for (let i = 0; i < CHUNKS; i++) {
      const chunk = bytesAt(i + 1, CHUNK);
      h.update(chunk);
      await send({ type: 'http.response.body', body: chunk, moreBody: true }); // waits on drain
    }
    await send({ type: 'http.response.body', body: '' });
    serverHash = h.digest('hex');
  };
  const writeHighWater = 256 * 1024;
  const { server, port } = await startOurs({ sendTimeout: 1000, writeHighWater }, app);
  let maxQueued = 0;
  const sampler = setInterval(() => {
    for (const c of server.core.connections) maxQueued = Math.max(maxQueued, queuedBytes(c.socket));
  }, 2);
  const sock = net.connect(port, '127.0.0.1');
  try {
    const t0 = Date.now();
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let sincePause = 0;
      let tail = '';
      sock.on('error', reject);
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        tail = (tail + d.subarray(Math.max(0, d.length - 5)).toString('latin1')).slice(-5);
        if (tail === '0\r\n\r\n') return resolve(Buffer.concat(chunks));
        // Slow reader: a 15 ms stop after every 128 KiB (~8 MiB/s). The whole transfer
        // takes longer than sendTimeout (1 s), which must not cut a client that reads.
        sincePause += d.length;
        if (sincePause >= 128 * 1024) {
          sincePause = 0;
          sock.pause();
          setTimeout(() => sock.resume(), 15);
        }
      });
      sock.on('end', () => resolve(Buffer.concat(chunks)));
      sock.on('connect', () => sock.write('GET /stream HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n'));
    });
    const ms = Date.now() - t0;
    // De-chunk.
    const headEnd = raw.indexOf('\r\n\r\n');
    assert.match(raw.subarray(0, headEnd).toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*transfer-encoding: chunked/i);
    const h = createHash('sha256');
    let p = headEnd + 4;
    let total = 0;
    for (;;) {
      const le = raw.indexOf('\r\n', p);
      const n = parseInt(raw.subarray(p, le).toString('latin1'), 16);
      p = le + 2;
      if (n === 0) break;
      h.update(raw.subarray(p, p + n));
      total += n;
      p += n + 2;
    }
    console.log(`  slow reader: ${total} bytes in ${ms} ms; largest socket queue ${(maxQueued / 1024).toFixed(0)} KiB`);
    assert.is(total, CHUNK * CHUNKS);
    assert.is(h.digest('hex'), serverHash);
    assert.ok(ms > 1000, `the transfer took ${ms} ms, longer than sendTimeout`);
    // send() waits for 'drain' once the queue passes writeHighWater: at most one chunk more.
    assert.ok(maxQueued <= writeHighWater + 2 * CHUNK, `socket queue peaked at ${maxQueued} bytes`);
  } finally {
    clearInterval(sampler);
    sock.destroy();
    await server.close();
  }
});

test.run();
