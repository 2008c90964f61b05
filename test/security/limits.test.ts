/**
 * Limits: maxConnections refuses politely, an oversized body is refused before it is
 * read, a too-long request target is 414.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { converse, parseWire, sleep, startOurs } from './wire.js';

/** A connected socket that has been served one request (so the server counts it). */
async function served(port: number): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise<void>((resolve) => {
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (parseWire(Buffer.from(got, 'latin1'), false).responses.length === 1) resolve();
    });
    s.on('connect', () => s.write('GET /hold HTTP/1.1\r\nHost: example.com\r\n\r\n'));
  });
  return s;
}

test('maxConnections: one more connection gets 503 with retry-after and is closed; room again once one leaves', async () => {
  const { server, port } = await startOurs({ maxConnections: 5 });
  const held: net.Socket[] = [];
  try {
    for (let i = 0; i < 5; i++) held.push(await served(port));
    assert.is(server.connections, 5);
    const refused = await converse(port, 'GET /sixth HTTP/1.1\r\nHost: example.com\r\n\r\n', { timeout: 2000 });
    const res = parseWire(refused.data, refused.closed);
    assert.is(res.error, null);
    assert.equal(
      res.responses.map((r) => r.status),
      [503],
    );
    assert.is(res.responses[0].headers.connection, 'close');
    assert.is(res.responses[0].headers['retry-after'], '1');
    assert.ok(refused.closed, 'refused connection closed');
    assert.is(server.connections, 5, 'the refused one never counted');
    held.pop()!.destroy();
    for (let i = 0; i < 20 && server.connections > 4; i++) await sleep(25);
    const again = await converse(port, 'GET /again HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n', { timeout: 2000 });
    assert.equal(
      parseWire(again.data, again.closed).responses.map((r) => r.status),
      [200],
    );
  } finally {
    for (const s of held) s.destroy();
    await server.close();
  }
});

test('Content-Length over maxBodySize: 413 on the head alone; the body is discarded, never buffered, and cut at the linger', async () => {
  // The 413 goes out before a byte of the body is sent. A client that sends it anyway is
  // read and discarded (so it can see the 413 before any reset) for at most the 5 s
  // linger, then cut: at 6.4 MiB/s it gets ~30 MiB of its 100 MiB out.
  const { server, port } = await startOurs({ maxBodySize: 1024 * 1024 });
  const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  try {
    const chunks: Buffer[] = [];
    let gone = false;
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('close', () => {
      gone = true;
    });
    sock.on('error', () => {
      gone = true;
    });
    await new Promise<void>((r) => sock.once('connect', r));
    sock.write('POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 104857600\r\n\r\n'); // 100 MiB announced
    for (let i = 0; i < 40 && chunks.length === 0; i++) await sleep(25);
    const res = parseWire(Buffer.concat(chunks), false);
    assert.equal(
      res.responses.map((r) => r.status),
      [413],
      'answered on the head alone',
    );
    assert.is(res.responses[0].headers.connection, 'close');
    const before = process.memoryUsage().arrayBuffers;
    const piece = Buffer.alloc(64 * 1024, 0x62);
    let sent = 0;
    const t0 = Date.now();
    while (!gone && sent < 100 * 1024 * 1024 && Date.now() - t0 < 9000) {
      sock.write(piece);
      sent += piece.length;
      await sleep(10);
    }
    const ms = Date.now() - t0;
    const grown = process.memoryUsage().arrayBuffers - before;
    console.log(`  413: ${(sent / 1048576).toFixed(1)} MiB of a 100 MiB body sent before the server cut the connection after ${ms} ms`);
    assert.ok(gone, 'the server cut the connection');
    assert.ok(sent < 100 * 1024 * 1024, `${sent} bytes went in`);
    assert.ok(ms < 8000, `cut after ${ms} ms (linger 5 s + sweep)`);
    assert.ok(grown < 8 * 1024 * 1024, `array buffers grew by ${grown} bytes while discarding`);
    assert.is(server.connections, 0);
  } finally {
    sock.destroy();
    await server.close();
  }
});

test('a chunked body over maxBodySize: 413 once the limit is passed, nothing after', async () => {
  const { server, port } = await startOurs({ maxBodySize: 64 * 1024 });
  try {
    const chunk = 'ffff\r\n' + 'x'.repeat(0xffff) + '\r\n';
    const bytes =
      'POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n' + chunk + chunk + '0\r\n\r\n' + 'GET /second HTTP/1.1\r\nHost: example.com\r\n\r\n';
    const conv = await converse(port, bytes, { timeout: 2000 });
    const res = parseWire(conv.data, conv.closed);
    assert.is(res.error, null);
    assert.equal(
      res.responses.map((r) => r.status),
      [413],
    );
    assert.ok(conv.closed);
  } finally {
    await server.close();
  }
});

test('request target over maxUrlLength: 414, also when it arrives byte by byte; at the limit: 200', async () => {
  const { server, port } = await startOurs({ maxUrlLength: 1024 });
  try {
    const at = `GET /${'a'.repeat(1023)} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`;
    const over = `GET /${'a'.repeat(1024)} HTTP/1.1\r\nHost: example.com\r\n\r\nGET /second HTTP/1.1\r\nHost: example.com\r\n\r\n`;
    const ok = await converse(port, at, { timeout: 2000 });
    assert.equal(
      parseWire(ok.data, ok.closed).responses.map((r) => r.status),
      [200],
    );
    for (const pieces of [undefined, new Array<number>(1100).fill(1), [600, 600]]) {
      const conv = await converse(port, over, { timeout: 5000, pieces });
      const res = parseWire(conv.data, conv.closed);
      assert.is(res.error, null);
      assert.equal(
        res.responses.map((r) => r.status),
        [414],
        `pieces ${pieces?.length ?? 'whole'}`,
      );
      assert.ok(conv.closed);
    }
  } finally {
    await server.close();
  }
});

test('the default maxUrlLength is 8 KiB; 0 leaves only maxHeaderSize (431)', async () => {
  const def = await startOurs();
  try {
    const at = await converse(def.port, `GET /${'a'.repeat(8191)} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`, { timeout: 2000 });
    assert.equal(
      parseWire(at.data, at.closed).responses.map((r) => r.status),
      [200],
    );
    const over = await converse(def.port, `GET /${'a'.repeat(8192)} HTTP/1.1\r\nHost: example.com\r\n\r\n`, { timeout: 2000 });
    assert.equal(
      parseWire(over.data, over.closed).responses.map((r) => r.status),
      [414],
    );
  } finally {
    await def.server.close();
  }
  const off = await startOurs({ maxUrlLength: 0 });
  try {
    const big = await converse(off.port, `GET /${'a'.repeat(12 * 1024)} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`, { timeout: 2000 });
    assert.equal(
      parseWire(big.data, big.closed).responses.map((r) => r.status),
      [200],
    );
    const huge = await converse(off.port, `GET /${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: example.com\r\n\r\n`, { timeout: 2000 });
    assert.equal(
      parseWire(huge.data, huge.closed).responses.map((r) => r.status),
      [431],
    );
  } finally {
    await off.server.close();
  }
});

test.run();
