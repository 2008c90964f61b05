// RFC 9110 §9.3.2: HEAD gets the headers a GET would get, and no content.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { sleep, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

test('HEAD on the fast path: content-length of the body a GET would get, no body bytes', async () => {
  const methods: string[] = [];
  const app: App = (scope, _receive, send) => {
    methods.push(scope.method);
    respond(send, 200, TEXT, 'hello world');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    c.bodyless = (i) => i === 0;
    // a GET right behind the HEAD: any stray body byte would corrupt its status line
    await c.write('HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    assert.is(res[0].status, 200);
    assert.is(res[0].headers['content-length'], '11');
    assert.is(res[0].headers['content-type'], 'text/plain');
    assert.is(res[0].body, '');
    assert.ok(res[0].raw.endsWith('\r\n\r\n'));
    assert.ok(res[1].raw.startsWith('HTTP/1.1 200 OK\r\n'), 'the GET response follows the HEAD head directly');
    assert.is(res[1].body, 'hello world');
    assert.equal(methods, ['HEAD', 'GET']);
    await sleep(30);
    assert.is(c.text.length, res[0].raw.length + res[1].raw.length, 'no extra bytes');
  });
});

test('HEAD on the ASGI path: one body message → content-length, no body', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'twelve bytes' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    c.bodyless = (i) => i === 0;
    await c.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    assert.is(res[0].headers['content-length'], '12');
    assert.is(res[0].body, '');
    assert.is(res[1].body, 'twelve bytes');
  });
});

test('HEAD on the ASGI path with a streamed body: no chunk bytes, no terminating chunk', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'part1', moreBody: true });
    await send({ type: 'http.response.body', body: 'part2', moreBody: true });
    await send({ type: 'http.response.body', body: '' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    c.bodyless = (i) => i === 0;
    await c.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    assert.is(res[0].status, 200);
    assert.is(res[0].body, '');
    assert.not.ok(res[0].raw.includes('part'), 'no body bytes in the HEAD response');
    assert.ok(res[1].raw.startsWith('HTTP/1.1 200 OK'), `second response intact: ${JSON.stringify(c.text)}`);
    assert.is(res[1].body, 'part1part2');
  });
});

test('HEAD on HTTP/1.0 closes cleanly with headers only', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 200, TEXT, 'abc');
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    c.bodyless = () => true;
    await c.write('HEAD / HTTP/1.0\r\n\r\n');
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].headers['content-length'], '3');
    assert.ok(c.text.endsWith('\r\n\r\n'));
  });
});

test('204 and 304 carry neither a body nor content-length', async () => {
  const app: App = (scope, _receive, send) => respond(send, scope.path === '/204' ? 204 : 304, null, 'ignored');
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    assert.equal(
      res.map((r) => r.status),
      [204, 304],
    );
    for (const r of res) {
      assert.is(r.headers['content-length'], undefined);
      assert.is(r.headers['transfer-encoding'], undefined);
      assert.ok(r.raw.endsWith('\r\n\r\n'));
    }
    await sleep(30);
    assert.not.ok(c.text.includes('ignored'));
  });
});

test.run();
