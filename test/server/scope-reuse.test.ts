// The pooled scope never leaks into the next request: one connection, many requests
// with different heads, and nothing of an earlier request shows in a later one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import type { Server } from '../../src/server/server.js';
import { sleep, until, withServer } from '../helpers/raw.js';
import { snapshotScope, type ScopeSnapshot } from '../helpers/scope.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const NAMES = ['host', 'x-only-first', 'x-common', 'cookie', 'content-type', 'content-length'];

const REQUESTS = [
  'GET /first/a%20b?x=1&y=2 HTTP/1.1\r\nHost: one.example:8080\r\nX-Only-First: secret\r\nX-Common: 1\r\nCookie: session=abc\r\n\r\n',
  'POST /second HTTP/1.1\r\nHost: two.example\r\nX-Common: 2\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nbody',
  'GET /third HTTP/1.1\r\nHost: three.example\r\n\r\n',
  'DELETE /fourth?only HTTP/1.1\r\nHost: [::1]:9000\r\nX-Common: 4\r\nX-Common: four\r\n\r\n',
  'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: six.example\r\n\r\n',
];

function check(s: ScopeSnapshot[], clientPort: number): void {
  const client: [string, number] = ['127.0.0.1', clientPort];
  assert.is(s.length, REQUESTS.length);
  for (const x of s) {
    assert.is(x.type, 'http');
    assert.is(x.scheme, 'http');
    assert.equal(x.client, client);
    assert.is(x.rootPath, '');
  }
  assert.equal(
    s.map((x) => [x.method, x.path, x.rawPath, x.queryString, x.httpVersion]),
    [
      ['GET', '/first/a b', '/first/a%20b', 'x=1&y=2', '1.1'],
      ['POST', '/second', '/second', '', '1.1'],
      ['GET', '/third', '/third', '', '1.1'],
      ['DELETE', '/fourth', '/fourth', 'only', '1.1'],
      ['GET', '/', '/', '', '1.0'],
      ['OPTIONS', '*', '*', '', '1.1'],
    ],
  );
  assert.equal(
    s.map((x) => x.server),
    [['one.example', 8080], ['two.example', 80], ['three.example', 80], ['::1', 9000], s[4].server, ['six.example', 80]],
  );
  assert.equal(
    s.map((x) => x.size),
    [4, 4, 1, 3, 1, 1],
  );
  assert.equal(
    s.map((x) => x.get['x-only-first']),
    ['secret', null, null, null, null, null],
  );
  assert.equal(
    s.map((x) => x.get.cookie),
    ['session=abc', null, null, null, null, null],
  );
  assert.equal(
    s.map((x) => x.get['x-common']),
    ['1', '2', null, '4, four', null, null],
  );
  assert.equal(
    s.map((x) => x.get['content-type']),
    [null, 'text/plain', null, null, null, null],
  );
  assert.equal(
    s.map((x) => x.get['content-length']),
    [null, '4', null, null, null, null],
  );
  assert.equal(
    s.map((x) => x.get.host),
    ['one.example:8080', 'two.example', 'three.example', '[::1]:9000', null, 'six.example'],
  );
  assert.equal(s[3].entries, [
    ['host', '[::1]:9000'],
    ['x-common', '4'],
    ['x-common', 'four'],
  ]);
}

function recorder(snaps: ScopeSnapshot[], delay = 0): App {
  return async (scope, receive, send) => {
    if (delay > 0) await sleep(delay);
    snaps.push(snapshotScope(scope, NAMES));
    for (;;) {
      const m = await receive();
      if (m.type !== 'http.request' || !m.moreBody) break;
    }
    respond(send, 200, TEXT, scope.path);
  };
}

test('one connection, requests one after another: nothing carries over; one pooled exchange serves them all', async () => {
  const snaps: ScopeSnapshot[] = [];
  await withServer(recorder(snaps), {}, async ({ connect, server }) => {
    assert.is(server.core.pooled, 0);
    const c = await connect();
    for (let i = 0; i < REQUESTS.length; i++) {
      await c.write(REQUESTS[i]);
      await c.waitResponses(i + 1);
    }
    check(snaps, c.socket.localPort!);
    await until(() => server.core.pooled === 1, 500, 'the exchange back in the pool');
  });
});

test('the same requests pipelined in one write, sync app: same scopes', async () => {
  const snaps: ScopeSnapshot[] = [];
  await withServer(recorder(snaps), {}, async ({ connect, server }) => {
    const c = await connect();
    await c.write(REQUESTS.join(''));
    await c.waitResponses(REQUESTS.length);
    check(snaps, c.socket.localPort!);
    await until(() => server.core.pooled >= 1, 500, 'exchanges back in the pool');
  });
});

test('pipelined, the app reads the scope only after an await (scopes all in flight at once)', async () => {
  const snaps: ScopeSnapshot[] = [];
  await withServer(recorder(snaps, 20), {}, async ({ connect, server }) => {
    const c = await connect();
    await c.write(REQUESTS.join(''));
    await c.waitResponses(REQUESTS.length);
    check(snaps, c.socket.localPort!);
    await until(() => server.core.pooled === REQUESTS.length, 500, `all ${REQUESTS.length} exchanges returned (${server.core.pooled})`);
  });
});

test('byte by byte, each request in many reads: same scopes', async () => {
  const snaps: ScopeSnapshot[] = [];
  await withServer(recorder(snaps), {}, async ({ connect }) => {
    const c = await connect();
    for (let i = 0; i < REQUESTS.length; i++) {
      await c.write(REQUESTS[i], { split: 1, gap: 0 });
      await c.waitResponses(i + 1);
    }
    check(snaps, c.socket.localPort!);
  });
});

test('a scope still in flight keeps its data while later reads arrive on the connection', async () => {
  const snaps: ScopeSnapshot[] = [];
  const app: App = async (scope, _receive, send) => {
    // /hold reads its scope only after the next request was read and answered
    if (scope.path === '/hold') await sleep(80);
    snaps.push(snapshotScope(scope, ['x-tag']));
    respond(send, 200, TEXT, scope.path);
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /hold?q=held HTTP/1.1\r\nHost: held.example\r\nX-Tag: held-value\r\n\r\n');
    await sleep(20);
    await c.write(`GET /next?q=${'n'.repeat(40)} HTTP/1.1\r\nHost: ${'overwrite'.repeat(4)}\r\nX-Tag: ${'z'.repeat(60)}\r\n\r\n`);
    await c.waitResponses(2);
    const held = snaps.find((s) => s.path === '/hold')!;
    assert.is(held.queryString, 'q=held');
    assert.is(held.get['x-tag'], 'held-value');
    assert.equal(held.server, ['held.example', 80]);
    assert.equal(held.entries, [
      ['host', 'held.example'],
      ['x-tag', 'held-value'],
    ]);
  });
});

test('the scope stays valid until the app returns, also after its response and while the next request is read', async () => {
  // An access-log middleware answers first and reads the scope afterwards.
  const logged: string[][] = [];
  const app: App = async (scope, _receive, send) => {
    respond(send, 200, TEXT, 'ok');
    await sleep(30);
    logged.push([scope.method, scope.path, scope.queryString, scope.headers.get('x-id') ?? 'null']);
  };
  await withServer(app, {}, async ({ connect, server }) => {
    const c = await connect();
    await c.write('GET /first?a=1 HTTP/1.1\r\nHost: x\r\nX-Id: one\r\n\r\n');
    await c.waitResponses(1);
    await c.write('POST /second-longer-path?b=22222 HTTP/1.1\r\nHost: yyyyyyyy\r\nX-Id: two-two\r\nContent-Length: 0\r\n\r\n');
    await c.waitResponses(2);
    await until(() => logged.length === 2, 1000, 'both logged');
    assert.equal(logged, [
      ['GET', '/first', 'a=1', 'one'],
      ['POST', '/second-longer-path', 'b=22222', 'two-two'],
    ]);
    await until(() => server.core.pooled === 2, 500, 'both exchanges back once their apps returned');
  });
});

test('no pool growth: the same pipelined batch twice leaves the pool the same size', async () => {
  const snaps: ScopeSnapshot[] = [];
  await withServer(recorder(snaps, 5), {}, async ({ connect, server }) => {
    const c = await connect();
    const batch = 'GET /p HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(10);
    await c.write(batch);
    await c.waitResponses(10);
    await until(() => server.core.pooled === 10, 500, `10 pooled (${server.core.pooled})`);
    await c.write(batch);
    await c.waitResponses(20);
    await sleep(20);
    assert.is(server.core.pooled, 10);
    // and across connections: a second connection reuses the same exchanges
    const d = await connect();
    await d.write(batch);
    await d.waitResponses(10);
    await sleep(20);
    assert.is(server.core.pooled, 10);
  });
});

/** Counts exchanges the core had to create (pool empty on acquire). */
function countCreated(server: Server): { created: number } {
  const counter = { created: 0 };
  const core = server.core;
  const acquire = core.acquire;
  core.acquire = function (this: typeof core, conn) {
    if (this.pooled === 0) counter.created++;
    return acquire.call(this, conn);
  };
  return counter;
}

test('every exchange goes back to the pool: after errors, disconnects, bad input and pipelining, pooled === created', async () => {
  const app: App = async (scope, receive, send) => {
    if (scope.path === '/throw') throw new Error('x');
    if (scope.path === '/body') {
      for (;;) {
        const m = await receive();
        if (m.type !== 'http.request' || !m.moreBody) break;
      }
      return;
    }
    if (scope.path === '/slow') await sleep(30);
    respond(send, 200, TEXT, 'ok');
  };
  await withServer(app, {}, async ({ connect, server }) => {
    const counter = countCreated(server);
    const a = await connect();
    await a.write('GET /throw HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
    await a.waitResponses(3);
    const b = await connect(); // client leaves in the middle of a body
    await b.write('POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
    await sleep(20);
    b.destroy();
    const c = await connect(); // bad request behind a good slow one
    await c.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\n\r\n');
    await c.waitEnded();
    const d = await connect(); // client leaves while its responses are pending
    await d.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(5);
    d.destroy();
    a.destroy();
    await until(() => server.connections === 0, 1000, 'all connections gone');
    await sleep(60); // the slow handlers settle
    assert.ok(counter.created >= 2, `created ${counter.created}`);
    assert.is(server.core.pooled, counter.created, `created ${counter.created}, pooled ${server.core.pooled}`);
  });
});

test.run();
