// Request bodies (RFC 9112 §6): Content-Length and chunked, streamed through receive()
// as they arrive, with backpressure when the app does not read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App, Receive, RequestMessage } from '../../src/types.js';
import { deferred, sleep, until, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

interface Read {
  body: Buffer;
  messages: { length: number; moreBody: boolean }[];
}

async function readAll(receive: Receive): Promise<Read> {
  const parts: Buffer[] = [];
  const messages: Read['messages'] = [];
  for (;;) {
    const m = await receive();
    assert.is(m.type, 'http.request');
    const r = m as RequestMessage;
    assert.ok(r.body instanceof Uint8Array);
    parts.push(Buffer.from(r.body));
    messages.push({ length: r.body.length, moreBody: r.moreBody });
    if (!r.moreBody) break;
  }
  return { body: Buffer.concat(parts), messages };
}

/** Answers with the body it read; records how it arrived. */
function echoBody(reads: Read[]): App {
  return async (_scope, receive, send) => {
    const r = await readAll(receive);
    reads.push(r);
    respond(send, 200, TEXT, r.body);
  };
}

test('Content-Length body in one piece', async () => {
  const reads: Read[] = [];
  await withServer(echoBody(reads), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world');
    const res = await c.waitResponses(1);
    assert.is(res[0].body, 'hello world');
    assert.is(reads[0].messages.at(-1)!.moreBody, false);
  });
});

test('Content-Length body arriving in pieces is streamed: several messages, moreBody until the last', async () => {
  const reads: Read[] = [];
  await withServer(echoBody(reads), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n');
    for (const part of ['0123456789', 'abcdefghij', 'ABCDEFGHIJ']) {
      await sleep(30);
      await c.write(part);
    }
    const res = await c.waitResponses(1);
    assert.is(res[0].body, '0123456789abcdefghijABCDEFGHIJ');
    const m = reads[0].messages;
    assert.ok(m.filter((x) => x.length > 0).length >= 3, JSON.stringify(m));
    assert.ok(
      m.slice(0, -1).every((x) => x.moreBody),
      JSON.stringify(m),
    );
    assert.is(m.at(-1)!.moreBody, false);
  });
});

test('the app sees the first body piece before the rest is sent', async () => {
  const first = deferred<string>();
  const app: App = async (_scope, receive, send) => {
    const m = (await receive()) as RequestMessage;
    first.resolve(Buffer.from(m.body).toString());
    const rest = await readAll(receive);
    respond(send, 200, TEXT, Buffer.from(m.body).toString() + rest.body.toString());
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nfirst');
    assert.is(await first.promise, 'first');
    await c.write('end');
    assert.is((await c.waitResponses(1))[0].body, 'firstend');
  });
});

test('chunked body with several chunks, extensions and trailers, streamed', async () => {
  const reads: Read[] = [];
  await withServer(echoBody(reads), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    await c.write('5\r\nhello\r\n');
    await sleep(30);
    await c.write('1;ext=1\r\n \r\n');
    await sleep(30);
    await c.write('5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].body, 'hello world');
    const m = reads[0].messages;
    assert.ok(m.filter((x) => x.length > 0).length >= 2, JSON.stringify(m));
    assert.is(m.at(-1)!.moreBody, false);
    // keep-alive still works after a chunked body
    await c.write('POST /d HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok');
    assert.is((await c.waitResponses(2))[1].body, 'ok');
  });
});

test('bodies split byte by byte (Content-Length and chunked) arrive intact', async () => {
  const reads: Read[] = [];
  await withServer(echoBody(reads), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nabc\r\ndef', { split: 1, gap: 0 });
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n2\r\n\r\n\r\n0\r\n\r\n', { split: 1, gap: 0 });
    const res = await c.waitResponses(2, 4000);
    assert.is(res[0].body, 'abc\r\ndef');
    assert.is(res[1].body, 'xyz\r\n');
  });
});

test('a binary body keeps every byte value', async () => {
  const reads: Read[] = [];
  const bytes = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  await withServer(echoBody(reads), {}, async ({ connect }) => {
    const c = await connect();
    await c.write(Buffer.concat([Buffer.from('PUT /bin HTTP/1.1\r\nHost: x\r\nContent-Length: 256\r\n\r\n'), bytes]));
    await c.waitResponses(1);
    assert.ok(reads[0].body.equals(bytes));
  });
});

test('a request without a body: receive() yields one empty message with moreBody false', async () => {
  const reads: Read[] = [];
  await withServer(echoBody(reads), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitResponses(1);
    assert.equal(reads[0].messages, [{ length: 0, moreBody: false }]);
  });
});

test('receive() after the body was read reports a disconnect once the response is sent', async () => {
  const seen: string[] = [];
  const app: App = async (_scope, receive, send) => {
    await readAll(receive);
    respond(send, 200, TEXT, 'ok');
    seen.push((await receive()).type);
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi');
    await c.waitResponses(1);
    await until(() => seen.length === 1, 1000, 'second receive()');
    assert.equal(seen, ['http.disconnect']);
  });
});

test('a client that goes away mid-body wakes a waiting receive() with http.disconnect', async () => {
  const got = deferred<string>();
  const app: App = async (_scope, receive) => {
    for (;;) {
      const m = await receive();
      if (m.type === 'http.disconnect' || !m.moreBody) {
        got.resolve(m.type === 'http.disconnect' ? 'disconnect' : 'complete');
        return;
      }
    }
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial');
    await sleep(30);
    c.destroy();
    assert.is(await Promise.race([got.promise, sleep(2000).then(() => 'timeout')]), 'disconnect');
  });
});

test('an app that answers without reading the body: the body is skipped, the next pipelined request is answered', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/late') await sleep(100); // long enough for a big body to pause reading
    respond(send, 200, TEXT, scope.path);
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    for (const [path, size] of [
      ['/small', 10],
      ['/late', 300 * 1024],
      ['/now', 300 * 1024],
    ] as const) {
      const body = Buffer.alloc(size, 0x61);
      const n = c.responses().length;
      await c.write(
        Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`), body, Buffer.from('GET /next HTTP/1.1\r\nHost: x\r\n\r\n')]),
      );
      const res = await c.waitResponses(n + 2, 3000);
      assert.equal(
        res.slice(n).map((r) => r.body),
        [path, '/next'],
        path,
      );
    }
  });
});

test('backpressure: an app that does not read stops the server reading; reading resumes when it does', async () => {
  const TOTAL = 8 * 1024 * 1024;
  const start = deferred();
  let received = 0;
  const app: App = async (_scope, receive, send) => {
    await start.promise;
    for (;;) {
      const m = await receive();
      if (m.type !== 'http.request') return;
      received += m.body.length;
      if (!m.moreBody) break;
    }
    respond(send, 200, TEXT, String(received));
  };
  await withServer(app, { maxBodySize: 16 * 1024 * 1024 }, async ({ connect, accepted }) => {
    const c = await connect();
    await c.write(`POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${TOTAL}\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let sent = 0; sent < TOTAL; sent += chunk.length) c.socket.write(chunk);
    await sleep(300);
    const read1 = accepted[0].socket.bytesRead;
    await sleep(200);
    const read2 = accepted[0].socket.bytesRead;
    // The transport queues at most 64 KiB for the app plus what is in flight; the
    // rest stays in the kernel buffers and in the client's write queue.
    assert.ok(read2 < 2 * 1024 * 1024, `server read ${read2} of ${TOTAL} bytes while the app was not reading`);
    assert.is(read2, read1, 'reading has stopped');
    assert.ok(c.socket.writableLength > 0, 'the client is held back');
    start.resolve();
    const res = await c.waitResponses(1, 5000);
    assert.is(res[0].body, String(TOTAL));
    assert.is(received, TOTAL);
  });
});

test('backpressure with a chunked body', async () => {
  const start = deferred();
  let received = 0;
  const app: App = async (_scope, receive, send) => {
    await start.promise;
    const r = await readAll(receive);
    received = r.body.length;
    respond(send, 200, TEXT, 'done');
  };
  await withServer(app, { maxBodySize: 16 * 1024 * 1024 }, async ({ connect, accepted }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const data = Buffer.alloc(32 * 1024, 0x62);
    const framed = Buffer.concat([Buffer.from('8000\r\n'), data, Buffer.from('\r\n')]);
    const N = 256; // 8 MiB
    for (let i = 0; i < N; i++) c.socket.write(framed);
    c.socket.write('0\r\n\r\n');
    await sleep(400);
    const read = accepted[0].socket.bytesRead;
    assert.ok(read < 2 * 1024 * 1024, `server read ${read} bytes while the app was not reading`);
    start.resolve();
    await c.waitResponses(1, 5000);
    assert.is(received, N * data.length);
  });
});

test.run();
