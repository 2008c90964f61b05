// Size and count limits, named like node:http's: maxHeaderSize (431), maxBodySize
// (413), maxRequestsPerSocket, maxConnections (503).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App, Receive } from '../../src/types.js';
import { sleep, until, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

async function bodyLength(receive: Receive): Promise<number> {
  let n = 0;
  for (;;) {
    const m = await receive();
    if (m.type !== 'http.request') return -1;
    n += m.body.length;
    if (!m.moreBody) return n;
  }
}

function counting(paths: string[]): App {
  return async (scope, receive, send) => {
    paths.push(scope.path);
    const n = await bodyLength(receive);
    respond(send, 200, TEXT, `${scope.path} ${n}`);
  };
}

// ---- maxHeaderSize --------------------------------------------------------------

test('maxHeaderSize: a head over the limit gets 431 and the connection closes; the next request is not answered', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxHeaderSize: 1024 }, async ({ connect }) => {
    const c = await connect();
    await c.write(`GET /big HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2000)}\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n`);
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 431);
    assert.is(res[0].headers.connection, 'close');
    assert.equal(paths, []);
  });
});

test('maxHeaderSize: the limit applies to a head arriving in many small reads too', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxHeaderSize: 1024 }, async ({ connect }) => {
    const c = await connect();
    let head = 'GET /many HTTP/1.1\r\nHost: x\r\n';
    for (let i = 0; i < 60; i++) head += `X-H${i}: ${'v'.repeat(20)}\r\n`;
    await c.write(head + '\r\n', { split: 64, gap: 1 });
    await c.waitEnded(3000);
    assert.is(c.responses()[0].status, 431);
    assert.equal(paths, []);
  });
});

test('maxHeaderSize: a head just under the limit is served', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxHeaderSize: 1024 }, async ({ connect }) => {
    const c = await connect();
    await c.write(`GET /ok HTTP/1.1\r\nHost: x\r\nX-Fill: ${'b'.repeat(900)}\r\n\r\n`);
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 200);
    assert.equal(paths, ['/ok']);
  });
});

test('maxHeaderSize default is 16 KiB: 20 KiB of headers → 431', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), {}, async ({ raw }) => {
    const r = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'c'.repeat(20 * 1024)}\r\n\r\n`);
    assert.ok(r.data.startsWith('HTTP/1.1 431 '), r.data.slice(0, 40));
    assert.ok(r.closed);
    assert.equal(paths, []);
  });
});

test('a long URL counts towards maxHeaderSize', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxHeaderSize: 1024 }, async ({ raw }) => {
    const r = await raw(`GET /${'u'.repeat(2000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.ok(/^HTTP\/1\.1 (414|431) /.test(r.data), r.data.slice(0, 40));
    assert.equal(paths, []);
  });
});

// ---- maxBodySize ------------------------------------------------------------------

test('maxBodySize: Content-Length over the limit → 413 before the app runs, connection closed', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxBodySize: 100 }, async ({ connect }) => {
    const c = await connect();
    await c.write(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n${'x'.repeat(101)}GET /after HTTP/1.1\r\nHost: x\r\n\r\n`);
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 413);
    assert.is(res[0].headers.connection, 'close');
    assert.equal(paths, []);
  });
});

test('maxBodySize: a chunked body that grows past the limit → 413 and close', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxBodySize: 100 }, async ({ connect }) => {
    const c = await connect();
    await c.write('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 5; i++) {
      await c.write(`1e\r\n${'y'.repeat(30)}\r\n`); // 30 bytes a chunk: the 4th passes 100
      await sleep(10);
      if (c.ended) break;
    }
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 413);
    assert.is(res[0].headers.connection, 'close');
  });
});

test('maxBodySize: bodies of exactly the limit are accepted, in one piece or in many (Content-Length and chunked)', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxBodySize: 100 }, async ({ connect }) => {
    const c = await connect();
    await c.write(`POST /cl HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n${'a'.repeat(100)}`);
    assert.is((await c.waitResponses(1))[0].body, '/cl 100');

    await c.write('POST /cl-split HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    for (let i = 0; i < 4; i++) {
      await sleep(10);
      await c.write('b'.repeat(25));
    }
    let res = await c.waitResponses(2);
    assert.is(res[1].status, 200, res[1].raw);
    assert.is(res[1].body, '/cl-split 100');

    await c.write('POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 4; i++) {
      await sleep(10);
      await c.write(`19\r\n${'c'.repeat(25)}\r\n`);
    }
    await c.write('0\r\n\r\n');
    res = await c.waitResponses(3);
    assert.is(res[2].status, 200, res[2].raw);
    assert.is(res[2].body, '/chunked 100');
  });
});

test('maxBodySize default is 1 MiB', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), {}, async ({ raw }) => {
    const r = await raw(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 * 1024 + 1}\r\n\r\n`);
    assert.ok(r.data.startsWith('HTTP/1.1 413 '), r.data.slice(0, 40));
  });
});

// ---- maxRequestsPerSocket ----------------------------------------------------------

test('maxRequestsPerSocket: the last allowed response says connection: close; nothing after it is answered', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxRequestsPerSocket: 3 }, async ({ connect }) => {
    const c = await connect();
    let batch = '';
    for (let i = 1; i <= 5; i++) batch += `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
    await c.write(batch);
    await c.waitEnded();
    await sleep(30);
    const res = c.responses();
    assert.is(res.length, 3);
    assert.equal(
      res.map((r) => r.headers.connection),
      [undefined, undefined, 'close'],
    );
    assert.equal(paths, ['/1', '/2', '/3']);
  });
});

test('maxRequestsPerSocket counts sequential requests too', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxRequestsPerSocket: 2 }, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitResponses(1);
    await c.write('GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 2);
    assert.is(res[1].headers.connection, 'close');
  });
});

// ---- maxConnections ----------------------------------------------------------------

test('maxConnections: connections past the limit get 503 and are closed; a slot frees when one closes', async () => {
  const paths: string[] = [];
  await withServer(counting(paths), { maxConnections: 2 }, async ({ connect, server }) => {
    const a = await connect();
    const b = await connect();
    await a.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    await b.write('GET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    await a.waitResponses(1);
    await b.waitResponses(1);
    assert.is(server.connections, 2);

    const c = await connect();
    await c.write('GET /c HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 503);
    assert.is(res[0].headers.connection, 'close');
    assert.equal(paths.sort(), ['/a', '/b']);

    a.destroy();
    await until(() => server.connections === 1, 2000, 'the server to see a close');
    const d = await connect();
    await d.write('GET /d HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await d.waitResponses(1))[0].status, 200);
  });
});

// ---- option validation --------------------------------------------------------------

test('invalid limits are refused at construction', async () => {
  const { createServer } = await import('../../src/index.js');
  const app: App = () => {};
  for (const bad of [{ maxHeaderSize: -1 }, { headersTimeout: Number.NaN }, { maxBodySize: -5 }, { maxConnections: Infinity }]) {
    assert.throws(() => createServer(app, bad), /must be a number/, JSON.stringify(bad));
  }
});

test.run();
