// RFC 9112 §9.3.2: pipelined requests are answered in the order received. Plus the
// transport's own promises: one write per read, and a cap on requests in flight.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App, Send } from '../../src/types.js';
import { type ServerContext, sleep, until, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

/**
 * GET <prefix>0 … <prefix>(n-1) in one write on a new connection, to an app answering each
 * with its path: asserts the answers come back in order, returns the client and the
 * server side's socket spy.
 */
async function echoesInOrder({ connect, accepted }: ServerContext, n: number, prefix: string) {
  const c = await connect();
  let batch = '';
  for (let i = 0; i < n; i++) batch += `GET ${prefix}${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
  await c.write(batch);
  const res = await c.waitResponses(n);
  assert.equal(
    res.map((r) => r.body),
    Array.from({ length: n }, (_, i) => `${prefix}${i}`),
  );
  return { c, spy: accepted[0] };
}

/** /<n>?wait=<ms>: answers "r<n>", after `wait` ms when given, else synchronously. */
function mixedApp(order: string[]): App {
  return (scope, _receive, send) => {
    order.push(`start ${scope.path}`);
    const wait = /wait=(\d+)/.exec(scope.queryString);
    if (wait === null) {
      respond(send, 200, TEXT, `r${scope.path.slice(1)}`);
      order.push(`end ${scope.path}`);
      return;
    }
    return sleep(Number(wait[1])).then(() => {
      respond(send, 200, TEXT, `r${scope.path.slice(1)}`);
      order.push(`end ${scope.path}`);
    });
  };
}

const MIXED =
  'GET /1?wait=30 HTTP/1.1\r\nHost: x\r\n\r\n' +
  'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n' +
  'GET /3?wait=10 HTTP/1.1\r\nHost: x\r\n\r\n' +
  'GET /4 HTTP/1.1\r\nHost: x\r\n\r\n' +
  'GET /5?wait=0 HTTP/1.1\r\nHost: x\r\n\r\n';

test('responses leave in request order when an earlier handler is async and later ones are sync', async () => {
  const order: string[] = [];
  await withServer(mixedApp(order), {}, async ({ connect }) => {
    const c = await connect();
    await c.write(MIXED);
    const res = await c.waitResponses(5);
    assert.equal(
      res.map((r) => r.body),
      ['r1', 'r2', 'r3', 'r4', 'r5'],
    );
    assert.ok(res.every((r) => r.status === 200));
    // The test means something only if the sync handlers really finished first.
    assert.ok(order.indexOf('end /2') < order.indexOf('end /1'), order.join(', '));
    assert.ok(order.indexOf('end /4') < order.indexOf('end /3'), order.join(', '));
    assert.is(c.responses().length, 5, 'nothing extra');
  });
});

test('in order also when the pipeline arrives byte by byte', async () => {
  const order: string[] = [];
  await withServer(mixedApp(order), {}, async ({ connect, accepted }) => {
    const c = await connect();
    await c.write(MIXED, { split: 1, gap: 0 });
    const res = await c.waitResponses(5, 4000);
    assert.equal(
      res.map((r) => r.body),
      ['r1', 'r2', 'r3', 'r4', 'r5'],
    );
    assert.ok(accepted[0].reads > 5, `the server saw the bytes in many reads (${accepted[0].reads})`);
  });
});

test('ASGI responses in order too: a streamed (chunked) slow response is not interleaved with a fast one', async () => {
  const app: App = async (scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: { 'content-type': 'text/plain' } });
    if (scope.path === '/slow') {
      for (const part of ['a', 'b', 'c']) {
        await sleep(10);
        await send({ type: 'http.response.body', body: part, moreBody: true });
      }
      await send({ type: 'http.response.body', body: '' });
    } else await send({ type: 'http.response.body', body: 'fast' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    assert.is(res[0].body, 'abc');
    assert.is(res[0].headers['transfer-encoding'], 'chunked');
    assert.is(res[1].body, 'fast');
  });
});

test('one read that produces many responses leads to one socket write', async () => {
  const app: App = (scope, _receive, send) => respond(send, 200, TEXT, scope.path);
  await withServer(app, {}, async (ctx) => {
    const { c, spy } = await echoesInOrder(ctx, 16, '/p');
    // Each read yields at most one write; 16 requests in ~600 bytes arrive in one read
    // or very few, so the 16 responses went out in as many writes as there were reads.
    assert.ok(spy.reads >= 1 && spy.reads <= 3, `reads: ${spy.reads}`);
    assert.ok(spy.writes <= spy.reads, `writes ${spy.writes} > reads ${spy.reads}`);
    assert.is(spy.written, c.bytesReceived, 'everything written went through the spied write()');
  });
});

test('async handlers that all settle in the same tick share one write too', async () => {
  const app: App = async (scope, _receive, send) => {
    await null;
    respond(send, 200, TEXT, scope.path);
  };
  await withServer(app, {}, async ({ connect, accepted }) => {
    const c = await connect();
    let batch = '';
    for (let i = 0; i < 8; i++) batch += `GET /q${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
    await c.write(batch);
    const res = await c.waitResponses(8);
    assert.equal(
      res.map((r) => r.body),
      Array.from({ length: 8 }, (_, i) => `/q${i}`),
    );
    const spy = accepted[0];
    assert.ok(spy.writes <= spy.reads, `writes ${spy.writes} > reads ${spy.reads}`);
  });
});

test('maxPipelined: reading pauses at the cap until earlier responses finish', async () => {
  const CAP = 2;
  const held: { path: string; send: Send }[] = [];
  let active = 0;
  let maxActive = 0;
  const app: App = (scope, _receive, send) => {
    active++;
    maxActive = Math.max(maxActive, active);
    held.push({ path: scope.path, send });
  };
  const answer = (): void => {
    const h = held.shift()!;
    active--;
    respond(h.send, 200, TEXT, h.path);
  };
  await withServer(app, { maxPipelined: CAP }, async ({ connect }) => {
    const c = await connect();
    let batch = '';
    for (let i = 1; i <= 6; i++) batch += `GET /h${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
    await c.write(batch);
    await until(() => held.length === CAP, 1000, 'the first two dispatches');
    await sleep(100);
    assert.is(held.length, CAP, 'no third request dispatched while two are in flight');
    assert.equal(
      held.map((h) => h.path),
      ['/h1', '/h2'],
    );

    answer(); // /h1 done → one slot free → exactly one more request is read
    await until(() => held.length === CAP, 1000, '/h3 to be dispatched');
    await sleep(50);
    assert.is(held.length, CAP);
    assert.equal(
      held.map((h) => h.path),
      ['/h2', '/h3'],
    );
    assert.is((await c.waitResponses(1))[0].body, '/h1');

    // answering the later one first frees nothing: /h2 still heads the queue
    respond(held[1].send, 200, TEXT, '/h3');
    held.splice(1, 1);
    active--;
    await sleep(50);
    assert.is(c.responses().length, 1, '/h3 waits behind /h2');
    assert.ok(held.length <= CAP);

    while (c.responses().length < 6) {
      await until(() => held.length > 0 || c.responses().length === 6, 1000, 'next dispatch');
      if (held.length > 0) answer();
      await sleep(5);
    }
    const res = c.responses();
    assert.equal(
      res.map((r) => r.body),
      ['/h1', '/h2', '/h3', '/h4', '/h5', '/h6'],
    );
    assert.ok(maxActive <= CAP, `at most ${CAP} in flight, saw ${maxActive}`);
  });
});

test('default cap holds a pipeline flood: 200 requests in one write with a held app see at most 64 dispatched', async () => {
  const held: Send[] = [];
  const app: App = (_scope, _receive, send) => void held.push(send);
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(200));
    await until(() => held.length >= 64, 1000, '64 dispatches');
    await sleep(100);
    assert.is(held.length, 64);
    for (let answered = 0; answered < 200; answered++) {
      await until(() => held.length > answered, 1000, `dispatch ${answered + 1}`);
      respond(held[answered], 204, null, null);
    }
    const res = await c.waitResponses(200);
    assert.is(res.length, 200);
    assert.ok(res.every((r) => r.status === 204));
  });
});

test('async handlers answering over many microtask hops (ASGI messages) still share one write', async () => {
  // Request i answers after i awaits: the shared-buffer check holds the flush until the
  // last one has answered (http-connection.ts lookAgain), with no nextTick in between.
  const app: App = async (scope, _receive, send) => {
    const n = Number(scope.path.slice(2));
    for (let i = 0; i < n; i++) await null;
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: scope.path });
  };
  await withServer(app, {}, async (ctx) => {
    const { spy } = await echoesInOrder(ctx, 24, '/h');
    assert.ok(spy.writes <= spy.reads, `writes ${spy.writes} > reads ${spy.reads}`);
  });
});

test('an answer held for the others is written when one of them waits on a timer', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/slow') await new Promise((r) => setTimeout(r, 300));
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: scope.path });
  };
  await withServer(app, {}, async ({ connect }) => {
    const fast = await connect();
    const slow = await connect();
    // one read on each connection, the slow one first: the fast answer must not wait 300 ms for it
    await slow.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    const t0 = Date.now();
    await fast.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await fast.waitResponses(1);
    assert.is(res[0].body, '/fast');
    assert.ok(Date.now() - t0 < 250, `the fast answer took ${Date.now() - t0} ms`);
    assert.is((await slow.waitResponses(1))[0].body, '/slow');
    // the same in one read on one connection: the fast answer first, the slow one pipelined after it
    const both = await connect();
    const t1 = Date.now();
    await both.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await both.waitResponses(1))[0].body, '/fast');
    assert.ok(Date.now() - t1 < 250, `the fast answer took ${Date.now() - t1} ms`);
    assert.equal(
      (await both.waitResponses(2)).map((r) => r.body),
      ['/fast', '/slow'],
    );
  });
});

test.run();
