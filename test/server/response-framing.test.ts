// How responses are framed and what the transport adds to them: chunked when the
// length is unknown on HTTP/1.1, close-delimited on HTTP/1.0, a cached Date, and no
// Server field unless configured.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { sleep, withServer } from '../helpers/raw.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

/** Streams "one", "two", "three" as three body messages, then ends. */
const streaming: App = async (_scope, _receive, send) => {
  await send({ type: 'http.response.start', status: 200, headers: { 'content-type': 'text/plain' } });
  await send({ type: 'http.response.body', body: 'one', moreBody: true });
  await sleep(5);
  await send({ type: 'http.response.body', body: Buffer.from('two'), moreBody: true });
  await send({ type: 'http.response.body', body: 'three', moreBody: false });
};

test('HTTP/1.1 response without a length goes out chunked, with exact chunk framing', async () => {
  await withServer(streaming, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].headers['transfer-encoding'], 'chunked');
    assert.is(res[0].headers['content-length'], undefined);
    const body = c.text.slice(c.text.indexOf('\r\n\r\n') + 4);
    assert.is(body, '3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n0\r\n\r\n');
    assert.is(res[0].body, 'onetwothree');
    // and the connection is still usable
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(2))[1].body, 'onetwothree');
  });
});

test('empty body messages in a stream add no empty chunk (which would end the body early)', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'a', moreBody: true });
    await send({ type: 'http.response.body', body: '', moreBody: true });
    await send({ type: 'http.response.body', body: 'b', moreBody: true });
    await send({ type: 'http.response.body', moreBody: false });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitResponses(1);
    assert.ok(c.text.endsWith('\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n'), JSON.stringify(c.text));
  });
});

test('a single body message gets content-length, not chunked', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 201, headers: [['x-a', '1']] });
    await send({ type: 'http.response.body', body: 'created' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 201);
    assert.is(res[0].headers['content-length'], '7');
    assert.is(res[0].headers['transfer-encoding'], undefined);
    assert.is(res[0].headers['x-a'], '1');
  });
});

test('an app-supplied content-length is used as is, with no second framing field', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: { 'content-length': '6' } });
    await send({ type: 'http.response.body', body: 'abc', moreBody: true });
    await send({ type: 'http.response.body', body: 'def' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].headers['content-length'], '6');
    assert.is(res[0].headers['transfer-encoding'], undefined);
    assert.is(res[0].body, 'abcdef');
  });
});

test('HTTP/1.0 response without a length is close-delimited: no chunked, connection closed after it', async () => {
  await withServer(streaming, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].headers['transfer-encoding'], undefined);
    assert.is(res[0].headers['content-length'], undefined);
    assert.is(res[0].headers.connection, 'close', 'keep-alive was asked for but cannot be kept');
    assert.is(res[0].body, 'onetwothree');
  });
});

test('large streamed bodies (past the write slab) are framed correctly', async () => {
  const part = Buffer.alloc(100 * 1024, 0x7a);
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: part, moreBody: true });
    await send({ type: 'http.response.body', body: part, moreBody: true });
    await send({ type: 'http.response.body', body: 'end' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2, 4000);
    for (const r of res) {
      assert.is(r.body.length, 2 * part.length + 3);
      assert.ok(r.body.endsWith('zzend'));
    }
  });
});

test('content-length counts bytes, not characters (UTF-8 bodies on both paths)', async () => {
  const text = 'héllo wörld €';
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/fast') return send(200, TEXT, text);
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: text });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /asgi HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    for (const r of res) {
      assert.is(r.headers['content-length'], String(Buffer.byteLength(text)));
      assert.is(Buffer.from(r.body, 'latin1').toString('utf8'), text);
    }
  });
});

test('repeated response fields (array values, pair lists) go out as separate lines, in order', async () => {
  const app: App = async (scope, _receive, send) => {
    const headers =
      scope.path === '/record'
        ? { 'set-cookie': ['a=1', 'b=2'], 'x-n': 5 }
        : ([['set-cookie', 'a=1'], ['x-n', '5'], ['set-cookie', 'b=2']] as [string, string][]);
    await send({ type: 'http.response.start', status: 200, headers });
    await send({ type: 'http.response.body', body: '' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /record HTTP/1.1\r\nHost: x\r\n\r\nGET /pairs HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    assert.equal(res[0].raw.split('\r\n').filter((l) => /^(set-cookie|x-n):/i.test(l)), ['set-cookie: a=1', 'set-cookie: b=2', 'x-n: 5']);
    assert.equal(res[1].raw.split('\r\n').filter((l) => /^(set-cookie|x-n):/i.test(l)), ['set-cookie: a=1', 'x-n: 5', 'set-cookie: b=2']);
    assert.is(res[0].headers['content-length'], '0');
  });
});

test('an invalid status code is refused: the app error becomes a 500', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 99 });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(1))[0].status, 500);
  });
});

const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const IMF_FIXDATE = new RegExp(`^(${DAYS}), \\d{2} (${MONTHS}) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$`);

test('every response carries a well-formed, current Date (RFC 9110 §5.6.7 IMF-fixdate)', async () => {
  const app: App = (_scope, _receive, send) => send(200, TEXT, 'x');
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    for (const r of res) {
      const d = r.headers.date;
      assert.ok(IMF_FIXDATE.test(d), `date: ${d}`);
      assert.ok(Math.abs(Date.parse(d) - Date.now()) < 3000, `date ${d} is within 3 s of now`);
      assert.is(r.raw.split('\r\n').filter((l) => /^date:/i.test(l)).length, 1, 'exactly one date line');
    }
  });
});

test('the cached Date moves on (refreshed about once a second)', async () => {
  const app: App = (_scope, _receive, send) => send(200, TEXT, 'x');
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = (await c.waitResponses(1))[0].headers.date;
    await sleep(2100);
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = (await c.waitResponses(2))[1].headers.date;
    assert.ok(Date.parse(second) - Date.parse(first) >= 1000, `${first} → ${second}`);
    assert.ok(Math.abs(Date.parse(second) - Date.now()) < 2000);
  });
});

test('no Server header by default, on both send paths and on error responses', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/fast') return send(200, TEXT, 'x');
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'y' });
  };
  await withServer(app, {}, async ({ connect, raw }) => {
    const c = await connect();
    await c.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /asgi HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    for (const r of res) assert.is(r.headers.server, undefined);
    const bad = await raw('GET / HTTP/1.1\r\n\r\n');
    assert.ok(bad.data.startsWith('HTTP/1.1 400'));
    assert.not.ok(/\r\nserver:/i.test(bad.data));
  });
});

test('serverHeader option adds exactly one Server field', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/fast') return send(200, TEXT, 'x');
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'y', moreBody: true });
    await send({ type: 'http.response.body', body: 'z' });
  };
  await withServer(app, { serverHeader: 'fasterapi-test/1' }, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /asgi HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    for (const r of res) {
      assert.is(r.headers.server, 'fasterapi-test/1');
      assert.is(r.raw.split('\r\n').filter((l) => /^server:/i.test(l)).length, 1);
    }
  });
});

test('response header values with CR or LF are refused (no response splitting); the app error becomes a 500', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: { 'x-bad': 'a\r\nset-cookie: evil=1' } });
    await send({ type: 'http.response.body', body: 'never' });
  };
  await withServer(app, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 500);
    assert.not.ok(/set-cookie/i.test(c.text));
    assert.ok(logs.some((l) => l.level === 'error'));
  });
});

test.run();
