/**
 * Hostile input that is well-formed at the byte level but aimed at what the app sees:
 * trailer fields sent to overwrite checked headers, an unbounded trailer section, endless
 * chunk extensions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import type { App, ReceiveMessage } from '../../src/index.js';
import { converse, parseWire, sleep, startOurs } from './wire.js';
import { respond } from '../../src/server/respond.js';

/** Answers with the header lines seen at dispatch and after the whole body, and scope.client. */
const headerWatcher: App = async (scope, receive, send) => {
  const before = [...scope.headers.entries()];
  const client = scope.client;
  for (;;) {
    const m = await receive();
    if (m.type !== 'http.request' || !m.moreBody) break;
  }
  const after = [...scope.headers.entries()];
  respond(send, 200, null, JSON.stringify({ before, after, client, clientAfter: scope.client, host: scope.headers.get('host') }));
};

test('trailer fields never reach scope.headers (no late Host, X-Forwarded-For, Authorization)', async () => {
  const { server, port } = await startOurs({}, headerWatcher);
  try {
    const head = 'POST /t HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nTrailer: Host, X-Forwarded-For, Authorization\r\n\r\n';
    const body = '5\r\nhello\r\n0\r\nHost: evil.example\r\nX-Forwarded-For: 203.0.113.9\r\nAuthorization: Bearer stolen\r\n\r\n';
    for (const pieces of [undefined, [head.length, 10], [head.length + 10, 1, 1, 1, 1, 1, 1, 1, 1, 1]]) {
      const conv = await converse(port, head + body, { timeout: 2000, pieces, until: (d) => parseWire(d, false).responses.length === 1 });
      const res = parseWire(conv.data, conv.closed).responses;
      assert.is(res.length, 1);
      assert.is(res[0].status, 200);
      const seen = JSON.parse(res[0].body.toString()) as { before: unknown; after: unknown; client: unknown; clientAfter: unknown; host: string };
      assert.equal(seen.after, seen.before, 'headers unchanged by the trailer section');
      assert.is(seen.host, 'example.com');
      assert.equal(seen.clientAfter, seen.client);
    }
  } finally {
    await server.close();
  }
});

test('a trailer section larger than maxHeaderSize is answered 431 and closed', async () => {
  const { server, port } = await startOurs({ maxHeaderSize: 4096 }, headerWatcher);
  try {
    const trailers = Array.from({ length: 100 }, (_, i) => `X-T${i}: ${'v'.repeat(60)}\r\n`).join('');
    const bytes =
      'POST /t HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n' + trailers + '\r\n' + 'GET /second HTTP/1.1\r\nHost: example.com\r\n\r\n';
    const conv = await converse(port, bytes, { timeout: 2000 });
    const res = parseWire(conv.data, conv.closed);
    assert.is(res.error, null);
    assert.equal(
      res.responses.map((r) => r.status),
      [431],
    );
    assert.ok(conv.closed);
  } finally {
    await server.close();
  }
});

test('a stray second send() from an ended request never answers another request', async () => {
  // The classic app bug: a timer and the real result both answer. The exchange (and
  // its send) is pooled, so the stray call must not reach whoever uses it next.
  const stray: string[] = [];
  const app: App = async (scope, _receive, send) => {
    if (scope.rawPath === '/a-fast' || scope.rawPath === '/a-asgi') {
      const asgi = scope.rawPath === '/a-asgi';
      if (asgi) {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'answer for A' });
      } else respond(send, 200, null, 'answer for A');
      setTimeout(() => {
        try {
          const r = asgi
            ? send({ type: 'http.response.start', status: 200 }).then(() => send({ type: 'http.response.body', body: 'SECRET OF A' }))
            : respond(send, 200, null, 'SECRET OF A');
          Promise.resolve(r).then(
            () => stray.push('stray send accepted'),
            (e: Error) => stray.push(`rejected: ${e.message}`),
          );
        } catch (e) {
          stray.push(`threw: ${(e as Error).message}`);
        }
      }, 60);
      return;
    }
    await sleep(120); // B is in flight when A's timer fires, on the same pooled exchange
    respond(send, 200, null, `answer for ${scope.rawPath}`);
  };
  const { server, port } = await startOurs({}, app);
  try {
    for (const a of ['/a-fast', '/a-asgi']) {
      stray.length = 0;
      const first = await converse(port, `GET ${a} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`, { timeout: 1000 });
      assert.is(parseWire(first.data, first.closed).responses[0]?.body.toString(), 'answer for A');
      await sleep(20); // A's exchange is back in the pool
      const b = await converse(port, 'GET /b HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n', { timeout: 1000 });
      const res = parseWire(b.data, b.closed);
      assert.is(res.error, null);
      assert.equal(
        res.responses.map((r) => r.body.toString()),
        ['answer for /b'],
        a,
      );
      assert.is(stray.length, 1);
      assert.match(stray[0], /already ended/);
    }
  } finally {
    await server.close();
  }
});

test("a receive() kept from an ended request never reads the next request's body", async () => {
  let kept: (() => Promise<ReceiveMessage>) | null = null;
  const got: string[] = [];
  const app: App = async (scope, receive, send) => {
    if (scope.rawPath === '/a') {
      kept = receive;
      respond(send, 200, null, 'a');
      return;
    }
    await sleep(30);
    const late = await kept!();
    got.push(late.type);
    let body = '';
    for (;;) {
      const m = await receive();
      if (m.type !== 'http.request') break;
      body += Buffer.from(m.body).toString();
      if (!m.moreBody) break;
    }
    respond(send, 200, null, body);
  };
  const { server, port } = await startOurs({}, app);
  try {
    await converse(port, 'GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n', { timeout: 1000 });
    await sleep(20);
    const conv = await converse(port, 'POST /b HTTP/1.1\r\nHost: example.com\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret', { timeout: 1000 });
    assert.equal(got, ['http.disconnect']);
    assert.is(parseWire(conv.data, conv.closed).responses[0]?.body.toString(), 'secret');
  } finally {
    await server.close();
  }
});

test('an endless chunk extension is cut with 413 past 16 KiB, long before requestTimeout, and is never buffered', async () => {
  // Undici's llhttp wasm build has no chunk-extension callback: the connection counts the
  // framing between body spans itself (src/server/chunk-ext.ts). This used to be parsed at
  // full speed (100% CPU) for as long as the client sent, until requestTimeout.
  const { server, port } = await startOurs({ headersTimeout: 60_000, requestTimeout: 60_000 });
  const sock = net.connect(port, '127.0.0.1');
  try {
    let data = '';
    let closed = false;
    sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
    sock.on('close', () => (closed = true));
    sock.on('error', () => (closed = true));
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('POST /ext HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5;a=');
    const before = process.memoryUsage().arrayBuffers;
    const piece = 'b'.repeat(16 * 1024);
    const t0 = Date.now();
    let sent = 0;
    while (!closed && Date.now() - t0 < 6000) {
      sock.write(piece);
      sent += piece.length;
      await sleep(5);
    }
    const ms = Date.now() - t0;
    console.log(`  chunk extension: ${(sent / 1024).toFixed(0)} KiB of extension sent before the cut after ${ms} ms`);
    assert.ok(closed, 'cut');
    assert.ok(ms < 3000, `after ${ms} ms (requestTimeout is 60 s)`);
    assert.match(data, /^HTTP\/1\.1 413 /);
    assert.ok(process.memoryUsage().arrayBuffers - before < 4 * 1024 * 1024, 'nothing buffered');
  } finally {
    sock.destroy();
    await server.close();
  }
});

test('chunk extensions: 16 KiB per request is accepted, one byte more is 413, whole or in pieces', async () => {
  const { server, port } = await startOurs({ headersTimeout: 10_000, requestTimeout: 10_000 });
  const head = 'POST /ext HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  const send = async (body: string, pieces?: number[]) => {
    const conv = await converse(port, head + body, { timeout: 5000, pieces });
    return parseWire(conv.data, conv.closed).responses.map((r) => `${r.status} ${r.body.toString()}`);
  };
  const many = (n: number, size: number) => new Array<number>(n).fill(size);
  try {
    const ext = (n: number) => 'a'.repeat(n); // node:http counts name and value bytes; ';' is not counted
    assert.equal(await send(`5;${ext(16384)}\r\nhello\r\n0\r\n\r\n`), ['200 path=/ext body=5\n']);
    assert.equal(await send(`5;${ext(16385)}\r\nhello\r\n0\r\n\r\n`), ['413 Payload Too Large\n']);
    // Across reads of 7 bytes (the count carries over), and on the last chunk.
    assert.equal(await send(`5;${ext(16384)}\r\nhello\r\n0\r\n\r\n`, many(2500, 7)), ['200 path=/ext body=5\n']);
    assert.equal(await send(`5;${ext(16385)}\r\nhello\r\n0\r\n\r\n`, many(2500, 7)), ['413 Payload Too Large\n']);
    assert.equal(await send(`5\r\nhello\r\n0;${ext(16385)}\r\n\r\n`), ['413 Payload Too Large\n']);
    assert.equal(await send(`5\r\nhello\r\n0;${ext(16384)}\r\nx-t: 1\r\n\r\n`), ['200 path=/ext body=5\n']);
    // Per request, not per chunk (node:http 20 resets its count at each chunk).
    assert.equal(await send(`1;${ext(10000)}\r\nx\r\n1;${ext(10000)}\r\ny\r\n0\r\n\r\n`), ['413 Payload Too Large\n']);
    // Leading zeros of a chunk size carry nothing either: past 16 digits they count too.
    assert.equal(await send(`${'0'.repeat(16400)}5\r\nhello\r\n0\r\n\r\n`), ['413 Payload Too Large\n']);
    assert.equal(await send(`${'0'.repeat(100)}5\r\nhello\r\n0\r\n\r\n`), ['200 path=/ext body=5\n']);
  } finally {
    await server.close();
  }
});

test('chunk extensions count toward maxBodySize; chunk framing without extensions does not', async () => {
  const { server, port } = await startOurs({ maxBodySize: 1000 });
  const head = 'POST /ext HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  const send = async (body: string) => {
    const conv = await converse(port, head + body, { timeout: 5000 });
    return parseWire(conv.data, conv.closed).responses.map((r) => `${r.status} ${r.body.toString()}`);
  };
  try {
    assert.equal(await send(`1;${'a'.repeat(1000)}\r\nx\r\n0\r\n\r\n`), ['413 Payload Too Large\n']);
    assert.equal(await send(`1;${'a'.repeat(990)}\r\nx\r\n0\r\n\r\n`), ['200 path=/ext body=1\n']);
    // 1000 one-byte chunks: 6000 bytes of framing, 1000 of body, exactly at the limit.
    assert.equal(await send('1\r\nx\r\n'.repeat(1000) + '0\r\n\r\n'), ['200 path=/ext body=1000\n']);
    assert.equal(await send('1;e=1\r\nx\r\n'.repeat(200) + '0\r\n\r\n'), ['200 path=/ext body=200\n']);
  } finally {
    await server.close();
  }
});

test.run();
