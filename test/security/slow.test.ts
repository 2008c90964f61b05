/**
 * Slow and idle clients: slowloris heads, trickled bodies, idle keep-alive and idle
 * first connections are cut off by the timeouts, and thousands of idle connections
 * cost a bounded amount of memory each.
 *
 * Timeouts are enforced by one sweep a second over a clock that ticks once a second
 * (src/server/core.ts), so a cut-off lands up to ~1 s either side of the configured
 * value: the bounds below allow for that.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execSync } from 'node:child_process';
import * as net from 'node:net';
import { startChild } from './child.js';
import type { App } from '../../src/types.js';
import { converse, parseWire, sleep, startOurs } from './wire.js';
import { respond } from '../../src/server/respond.js';

interface Trickled {
  data: Buffer;
  closed: boolean;
  /** ms from the first byte written to the close (or to giving up). */
  ms: number;
  /** Bytes written before the server closed. */
  sent: number;
}

/** Writes `head` at once, then `slow` one byte every `gap` ms until the server closes or `maxMs`. */
function trickle(port: number, head: string, slow: string, gap: number, maxMs: number): Promise<Trickled> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let t0 = 0;
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const done = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(limit);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), closed, ms: Date.now() - t0, sent });
    };
    const limit = setTimeout(() => done(false), maxMs);
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('end', () => done(true));
    sock.on('close', () => done(true));
    sock.on('error', () => done(true));
    sock.on('connect', () => {
      t0 = Date.now();
      if (head.length > 0) {
        sock.write(head, 'latin1');
        sent += head.length;
      }
      let i = 0;
      const step = (): void => {
        if (settled || i >= slow.length) return;
        sock.write(slow[i++], 'latin1');
        sent++;
        timer = setTimeout(step, gap);
      };
      step();
    });
  });
}

test('headersTimeout: a head trickled one byte per 100 ms is cut off with 408', async () => {
  const { server, port } = await startOurs({ headersTimeout: 500, requestTimeout: 10_000 });
  try {
    const slow = 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n';
    const r = await trickle(port, '', slow, 100, 5000);
    const res = parseWire(r.data, r.closed);
    assert.ok(r.closed, 'connection closed');
    assert.is(res.responses.length, 1);
    assert.is(res.responses[0].status, 408);
    assert.ok(r.ms < 2600, `cut off after ${r.ms} ms (headersTimeout 500 ms + sweep granularity)`);
    assert.ok(r.sent < 30, `${r.sent} bytes got in`);
  } finally {
    await server.close();
  }
});

test('headersTimeout still applies when requestTimeout is 0 (disabled)', async () => {
  // Regression: the sweep used to skip the head check whenever requestTimeout was 0,
  // so turning off the request timeout (long uploads) opened the door to slowloris.
  const { server, port } = await startOurs({ headersTimeout: 500, requestTimeout: 0 });
  try {
    const r = await trickle(port, '', 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Slow: ' + 'a'.repeat(200), 100, 5000);
    assert.ok(r.closed, `closed (after ${r.ms} ms, ${r.sent} bytes)`);
    assert.is(parseWire(r.data, true).responses[0]?.status, 408);
    assert.ok(r.ms < 2600, `cut off after ${r.ms} ms`);
  } finally {
    await server.close();
  }
});

test('requestTimeout: a body trickled one byte per 100 ms is cut off with 408', async () => {
  const { server, port } = await startOurs({ headersTimeout: 500, requestTimeout: 1500 });
  try {
    const head = 'POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 1000\r\n\r\n';
    const r = await trickle(port, head, 'b'.repeat(1000), 100, 6000);
    const res = parseWire(r.data, r.closed);
    assert.ok(r.closed, 'connection closed');
    assert.is(res.responses.length, 1);
    assert.is(res.responses[0].status, 408);
    // Not at headersTimeout (the head was complete), at requestTimeout ± the sweep.
    assert.ok(r.ms >= 400 && r.ms < 3600, `cut off after ${r.ms} ms (requestTimeout 1500 ms)`);
    assert.ok(r.sent - head.length < 40, `${r.sent - head.length} body bytes got in`);
  } finally {
    await server.close();
  }
});

test('requestTimeout: a chunk extension trickled one byte per 100 ms (under its 16 KiB limit) is cut off with 408', async () => {
  const { server, port } = await startOurs({ headersTimeout: 500, requestTimeout: 1500 });
  try {
    const head = 'POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5;';
    const r = await trickle(port, head, 'a'.repeat(1000), 100, 6000);
    const res = parseWire(r.data, r.closed);
    assert.ok(r.closed, 'connection closed');
    assert.equal(
      res.responses.map((x) => x.status),
      [408],
    );
    assert.ok(r.ms >= 400 && r.ms < 3600, `cut off after ${r.ms} ms (requestTimeout 1500 ms)`);
  } finally {
    await server.close();
  }
});

test('keepAliveTimeout: an idle keep-alive connection is closed, nothing more is written', async () => {
  const { server, port } = await startOurs({ keepAliveTimeout: 500 });
  try {
    const r = await trickle(port, 'GET /once HTTP/1.1\r\nHost: example.com\r\n\r\n', '', 0, 5000);
    const res = parseWire(r.data, r.closed);
    assert.ok(r.closed, 'closed by the server');
    assert.is(res.error, null);
    assert.is(res.responses.length, 1, 'only the one response (no 408 on an idle keep-alive close)');
    assert.is(res.responses[0].status, 200);
    assert.ok(r.ms < 2600, `closed after ${r.ms} ms (keepAliveTimeout 500 ms)`);
    for (let i = 0; i < 20 && server.connections > 0; i++) await sleep(50);
    assert.is(server.connections, 0);
  } finally {
    await server.close();
  }
});

test('headersTimeout: a connection that never sends a byte is closed with 408', async () => {
  const { server, port } = await startOurs({ headersTimeout: 500 });
  try {
    const r = await trickle(port, '', '', 0, 5000);
    assert.ok(r.closed);
    assert.is(parseWire(r.data, true).responses[0]?.status, 408);
    assert.ok(r.ms < 2600, `closed after ${r.ms} ms`);
  } finally {
    await server.close();
  }
});

test('headersTimeout runs from the first blank line: a CRLF every 40 ms is cut off with 408', async () => {
  // llhttp skips CRLFs before a request line without a callback (RFC 9112 §2.2), and
  // every read refreshed the idle clock, so this used to hold the connection forever.
  // The timeout is above the 1-second clock tick: below it, the sweep, which runs right
  // after each tick, sees every idle connection as a second old and cut this anyway.
  const { server, port } = await startOurs({ headersTimeout: 1500, keepAliveTimeout: 10_000, requestTimeout: 10_000 });
  try {
    const r = await trickle(port, '', '\r\n'.repeat(200), 20, 6000);
    assert.ok(r.closed, `closed (after ${r.ms} ms, ${r.sent} bytes)`);
    assert.is(parseWire(r.data, true).responses[0]?.status, 408);
    assert.ok(r.ms < 4000, `cut off after ${r.ms} ms (headersTimeout 1500 ms + sweep)`);
  } finally {
    await server.close();
  }
});

test('keepAliveTimeout runs from the first blank line after a response: a CRLF every 40 ms is closed, without a 408', async () => {
  const { server, port } = await startOurs({ headersTimeout: 10_000, keepAliveTimeout: 1500, requestTimeout: 10_000 });
  try {
    const k = await trickle(port, 'GET /once HTTP/1.1\r\nHost: example.com\r\n\r\n', '\r\n'.repeat(200), 20, 6000);
    const res = parseWire(k.data, true);
    assert.ok(k.closed, `closed (after ${k.ms} ms, ${k.sent} bytes)`);
    assert.is(res.error, null);
    assert.equal(
      res.responses.map((x) => x.status),
      [200],
      'as an idle keep-alive connection: no 408',
    );
    assert.ok(k.ms < 4000, `cut off after ${k.ms} ms (keepAliveTimeout 1500 ms + sweep)`);
  } finally {
    await server.close();
  }
});

test('blank lines before a request line are still accepted (RFC 9112 §2.2)', async () => {
  const { server, port } = await startOurs({ headersTimeout: 2000 });
  try {
    const r = await trickle(port, '\r\n\r\nGET /a HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n', '', 0, 3000);
    assert.ok(r.closed);
    assert.equal(
      parseWire(r.data, true).responses.map((x) => x.status),
      [200],
    );
  } finally {
    await server.close();
  }
});

// ---- PROXY protocol: nothing is answered before a valid header (HAProxy proxy-protocol.txt §2)

/** Answers 200 with the client the trust stage resolved. */
const clientApp: App = (scope, _receive, send) => {
  respond(send, 200, null, JSON.stringify(scope.client));
};
const PP_REQUEST = 'GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n';

/** A v2 PROXY TCP4 header 198.51.100.1:4711 → 10.0.0.2:80 whose TLV section makes the length field `len`. */
function v2Header(len: number): Buffer {
  const fixed = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, len >> 8, len & 255]);
  const addr = Buffer.from([198, 51, 100, 1, 10, 0, 0, 2, 0x12, 0x67, 0x00, 0x50]);
  const tlv = Buffer.alloc(len - 12, 0x61);
  if (len > 12) {
    tlv[0] = 0xe0; // a custom TLV type, skipped
    tlv.writeUInt16BE(len - 15, 1);
  }
  return Buffer.concat([fixed, addr, tlv]);
}

test('PROXY protocol: a v1 header and its request sent one byte at a time are accepted', async () => {
  const { server, port } = await startOurs({ proxyProtocol: true, headersTimeout: 10_000 }, clientApp);
  try {
    const r = await trickle(port, '', 'PROXY TCP4 198.51.100.7 127.0.0.1 4711 80\r\n' + PP_REQUEST, 2, 8000);
    const res = parseWire(r.data, r.closed);
    assert.equal(
      res.responses.map((x) => x.status),
      [200],
    );
    assert.is(res.responses[0].body.toString(), '["198.51.100.7",4711]');
  } finally {
    await server.close();
  }
});

test('PROXY protocol: a v2 header of the maximum length (16 + 65535 bytes) is accepted across many reads', async () => {
  const { server, port } = await startOurs({ proxyProtocol: true }, clientApp);
  try {
    const header = v2Header(65535);
    assert.is(header.length, 65551);
    for (const piece of [1000, 7]) {
      const pieces = new Array<number>(Math.ceil(header.length / piece)).fill(piece);
      const conv = await converse(port, Buffer.concat([header, Buffer.from(PP_REQUEST)]), { pieces, timeout: 8000 });
      const res = parseWire(conv.data, conv.closed);
      assert.equal(
        res.responses.map((x) => x.status),
        [200],
        `pieces of ${piece}`,
      );
      assert.is(res.responses[0].body.toString(), '["198.51.100.1",4711]');
    }
  } finally {
    await server.close();
  }
});

test('PROXY protocol: a malformed header is closed with zero bytes answered, also one byte at a time', async () => {
  const { server, port } = await startOurs({ proxyProtocol: true, headersTimeout: 10_000 }, clientApp);
  try {
    const bad = [
      'PROXY TCP4 198.51.100.7 127.0.0.1 4711\r\n', // a field missing
      'PROXY TCP5 198.51.100.7 127.0.0.1 4711 80\r\n',
      'PROXY TCP4 198.51.100.7 127.0.0.1 4711 80\n', // bare LF
      'PROXY ' + 'x'.repeat(120), // past the v1 limit without CRLF
      PP_REQUEST, // no header at all (a client without the proxy in front)
    ];
    for (const pp of bad) {
      const whole = await converse(port, pp + PP_REQUEST, { timeout: 3000 });
      assert.ok(whole.closed, JSON.stringify(pp));
      assert.is(whole.data.length, 0, JSON.stringify(pp));
      const slow = await trickle(port, '', pp + PP_REQUEST, 2, 5000);
      assert.ok(slow.closed, 'one byte at a time: ' + JSON.stringify(pp));
      assert.is(slow.data.length, 0, 'one byte at a time: ' + JSON.stringify(pp));
    }
    const v2 = v2Header(12);
    v2[12] = 0x31; // version 3
    const conv = await converse(port, Buffer.concat([v2, Buffer.from(PP_REQUEST)]), { timeout: 3000 });
    assert.ok(conv.closed && conv.data.length === 0, 'v2 with a wrong version');
  } finally {
    await server.close();
  }
});

test('PROXY protocol: no header, or one trickled past headersTimeout, is closed with zero bytes (no 408)', async () => {
  const { server, port } = await startOurs({ proxyProtocol: true, headersTimeout: 500 }, clientApp);
  try {
    const none = await trickle(port, '', '', 0, 5000);
    assert.ok(none.closed, 'closed');
    assert.is(none.data.length, 0, 'nothing answered');
    assert.ok(none.ms < 2600, `closed after ${none.ms} ms (headersTimeout 500 ms + sweep)`);
    const slow = await trickle(port, '', 'PROXY TCP4 198.51.100.7 127.0.0.1 4711 80\r\n', 200, 5000);
    assert.ok(slow.closed, `closed (after ${slow.ms} ms, ${slow.sent} bytes)`);
    assert.is(slow.data.length, 0, 'nothing answered');
    assert.ok(slow.ms < 2600, `closed after ${slow.ms} ms`);
    assert.ok(slow.sent < 20, `${slow.sent} bytes of header got in`);
  } finally {
    await server.close();
  }
});

/** Open file descriptors allowed to this process. */
function fdLimit(): number {
  try {
    const n = Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 1024;
  } catch {
    return 1024;
  }
}

/** Opens `n` keep-alive connections, each served one request; resolves with the sockets. */
async function openIdle(port: number, n: number): Promise<net.Socket[]> {
  const socks: net.Socket[] = [];
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      socks.push(s);
      let got = '';
      s.setEncoding('latin1');
      s.on('error', reject);
      s.on('data', (d: string) => {
        got += d;
        if (got.endsWith('\r\n\r\nok')) resolve();
      });
      s.on('connect', () => s.write('GET /idle HTTP/1.1\r\nHost: example.com\r\n\r\n'));
    });
  // Batches of 200 stay well under the listen backlog (511).
  for (let i = 0; i < n; i += 200) await Promise.all(Array.from({ length: Math.min(200, n - i) }, one));
  return socks;
}

// Measured here (Node 20.20, x64, 2000 connections, three runs): 1.74 KiB of heap per
// idle keep-alive connection every time (net.Socket and its handle, the Connection, the
// llhttp parser handle); RSS 2.3-7.4 KiB per connection, noisy because the GC returns
// pages between the two readings. Asserted with headroom: heap < 4 KiB, RSS < 16 KiB.
const HEAP_PER_CONN = 4 * 1024;
const RSS_PER_CONN = 16 * 1024;

test('2000 idle keep-alive connections: bounded memory per connection', async () => {
  const n = Math.min(2000, fdLimit() - 256);
  const child = await startChild({ keepAliveTimeout: 120_000, headersTimeout: 120_000 });
  const socks: net.Socket[] = [];
  try {
    // Warm up (JIT, pools, the first wasm pages), then measure from there.
    const warm = await openIdle(child.port, 100);
    for (const s of warm) s.destroy();
    await sleep(300);
    const base = await child.measure();
    socks.push(...(await openIdle(child.port, n)));
    const held = await child.measure();
    assert.is(held.connections, n, 'all connections held');
    const heap = (held.heapUsed - base.heapUsed) / n;
    const rss = (held.rss - base.rss) / n;
    console.log(
      `  base rss ${(base.rss / 1048576).toFixed(1)} MiB, held ${(held.rss / 1048576).toFixed(1)} MiB; ${n} idle connections: heap ${(heap / 1024).toFixed(2)} KiB/conn, rss ${(rss / 1024).toFixed(2)} KiB/conn, ` +
        `external ${((held.external - base.external) / n / 1024).toFixed(2)} KiB/conn`,
    );
    assert.ok(heap < HEAP_PER_CONN, `heap per idle connection ${heap.toFixed(0)} B < ${HEAP_PER_CONN}`);
    assert.ok(rss < RSS_PER_CONN, `rss per idle connection ${rss.toFixed(0)} B < ${RSS_PER_CONN}`);
    for (const s of socks) s.destroy();
    socks.length = 0;
    for (let i = 0; i < 50; i++) {
      if ((await child.measure()).connections === 0) break;
      await sleep(100);
    }
    const after = await child.measure();
    assert.is(after.connections, 0, 'every connection forgotten once the clients left');
  } finally {
    for (const s of socks) s.destroy();
    await child.stop();
  }
});

test.run();
