// Half-closed connections: a client that sends FIN right after its request(s) still
// gets the full response(s), then the server closes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { parseResponses, sleep, wholeBodyApp, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

const syncApp: App = (scope, _receive, send) => respond(send, 200, TEXT, `sync ${scope.path}`);
const asyncApp: App = async (scope, _receive, send) => {
  await sleep(50);
  respond(send, 200, TEXT, `async ${scope.path}`);
};
const streamingApp: App = async (_scope, _receive, send) => {
  await send({ type: 'http.response.start', status: 200 });
  for (const part of ['a', 'b', 'c']) {
    await sleep(15);
    await send({ type: 'http.response.body', body: part, moreBody: true });
  }
  await send({ type: 'http.response.body', body: '' });
};

for (const [name, app, body] of [
  ['sync handler', syncApp, 'sync /x'],
  ['async handler (50 ms)', asyncApp, 'async /x'],
  ['streaming handler', streamingApp, 'abc'],
] as const) {
  test(`request then FIN: the ${name} response arrives in full, then the server closes`, async () => {
    await withServer(app, {}, async ({ connect }) => {
      const c = await connect({ allowHalfOpen: true });
      await c.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
      c.end();
      await c.waitEnded();
      const res = c.responses();
      assert.is(res.length, 1);
      assert.is(res[0].status, 200);
      assert.is(res[0].body, body);
    });
  });
}

test('pipelined requests then FIN: every response arrives, in order', async () => {
  await withServer(asyncApp, {}, async ({ raw }) => {
    const r = await raw('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n', { end: true, timeout: 2000 });
    assert.ok(r.closed);
    assert.equal(
      parseResponses(r.data).map((x) => x.body),
      ['async /1', 'async /2', 'async /3'],
    );
  });
});

test('request with a body then FIN: the app reads the whole body and answers', async () => {
  const app: App = async (_scope, receive, send) => {
    let body = '';
    for (;;) {
      const m = await receive();
      if (m.type !== 'http.request') return;
      body += Buffer.from(m.body).toString();
      if (!m.moreBody) break;
    }
    await sleep(20);
    respond(send, 200, TEXT, `len ${body.length}`);
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect({ allowHalfOpen: true });
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    c.end();
    await c.waitEnded();
    assert.is(c.responses()[0].body, 'len 5');
  });
});

test('FIN in the middle of a body: the app sees a disconnect, nothing is answered, the connection closes', async () => {
  const seen: string[] = [];
  const app = wholeBodyApp(seen);
  await withServer(app, {}, async ({ connect, server }) => {
    const c = await connect({ allowHalfOpen: true });
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\npart');
    await sleep(20);
    c.end();
    await c.waitEnded();
    await sleep(20);
    assert.is(seen.at(-1), 'http.disconnect');
    assert.not.ok(c.text.includes('complete'));
    assert.is(server.connections, 0);
  });
});

test('FIN in the middle of a head: nothing is dispatched and the connection closes', async () => {
  let dispatched = 0;
  const app: App = (_scope, _receive, send) => {
    dispatched++;
    respond(send, 200, TEXT, 'x');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect({ allowHalfOpen: true });
    await c.write('GET /partial HTTP/1.1\r\nHost: x\r\n');
    c.end();
    await c.waitEnded();
    assert.is(dispatched, 0);
    assert.ok(c.text === '' || c.text.startsWith('HTTP/1.1 400'), c.text);
  });
});

// allowHalfOpen: false, node:http's default (fasterapi/node sets it): a FIN is a disconnect.

test('allowHalfOpen false: request then FIN: closed at once, the app in flight hears http.disconnect, its late answer goes nowhere', async () => {
  const seen: string[] = [];
  const app: App = async (_scope, receive, send) => {
    seen.push((await receive()).type);
    seen.push((await receive()).type); // waits for the client to leave
    await sleep(100);
    respond(send, 200, TEXT, 'too late');
  };
  await withServer(app, { allowHalfOpen: false }, async ({ connect, logs, server }) => {
    const c = await connect({ allowHalfOpen: true });
    await c.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(20);
    const started = Date.now();
    c.end();
    await c.waitEnded();
    assert.ok(Date.now() - started < 80, 'closed before the app answered');
    await sleep(20);
    assert.equal(seen, ['http.request', 'http.disconnect']);
    assert.is(server.connections, 0);
    await sleep(120);
    assert.is(c.text, '');
    assert.equal(logs, []);
  });
});

/** An app that reads nothing for 60 ms, then records what its first receive() gives. */
function lateReader(seen: string[]): App {
  return async (_scope, receive, send) => {
    await sleep(60);
    seen.push((await receive()).type);
    respond(send, 200, TEXT, 'x');
  };
}

test('allowHalfOpen false: FIN while nobody reads the body: the first receive() is http.disconnect', async () => {
  const seen: string[] = [];
  const app = lateReader(seen);
  await withServer(app, { allowHalfOpen: false }, async ({ connect, logs }) => {
    const c = await connect({ allowHalfOpen: true });
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\npart');
    await sleep(20);
    c.end();
    await c.waitEnded();
    await sleep(80);
    assert.equal(seen, ['http.disconnect']);
    assert.is(c.text, '');
    assert.equal(logs, []);
  });
});

test('allowHalfOpen false: FIN on an idle keep-alive connection closes it; a response sent before the FIN arrived whole', async () => {
  await withServer(syncApp, { allowHalfOpen: false }, async ({ connect, server }) => {
    const c = await connect({ allowHalfOpen: true });
    await c.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitResponses(1);
    c.end();
    await c.waitEnded();
    assert.is(c.responses()[0].body, 'sync /x');
    await sleep(20);
    assert.is(server.connections, 0);
  });
});

test('a reset while nobody reads the body: the first receive() is http.disconnect, nothing is logged', async () => {
  const seen: string[] = [];
  const app = lateReader(seen);
  await withServer(app, {}, async ({ connect, logs, server }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n' + 'y'.repeat(1000));
    await sleep(20);
    c.socket.resetAndDestroy();
    await sleep(100);
    assert.equal(seen, ['http.disconnect']);
    assert.equal(
      logs.filter((l) => l.level !== 'debug'),
      [],
      'the reset itself is a debug line',
    );
    assert.is(server.connections, 0);
  });
});

test.run();
