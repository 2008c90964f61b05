// RFC 9110 §10.1.1: Expect: 100-continue. The interim 100 goes out only when the app
// asks for the body (receive()); an app that answers without reading sends none.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { deferred, sleep, until, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const HEAD = 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n';

/** Reads the whole body once `go` resolves; answers with it. */
function readWhenTold(go: Promise<void>, called: { receive: boolean }): App {
  return async (_scope, receive, send) => {
    await go;
    called.receive = true;
    let body = '';
    for (;;) {
      const m = await receive();
      if (m.type !== 'http.request') return;
      body += Buffer.from(m.body).toString('latin1');
      if (!m.moreBody) break;
    }
    respond(send, 200, TEXT, `got ${body}`);
  };
}

test('100 Continue is sent only once the app calls receive(), then the body is read', async () => {
  const go = deferred();
  const called = { receive: false };
  await withServer(readWhenTold(go.promise, called), {}, async ({ connect }) => {
    const c = await connect();
    await c.write(HEAD);
    await sleep(80);
    assert.is(c.text, '', 'nothing sent before the app asks for the body');
    go.resolve();
    await c.waitFor(() => c.text.includes('\r\n\r\n'), 2000, '100 Continue');
    assert.is(c.text, 'HTTP/1.1 100 Continue\r\n\r\n');
    await c.write('hello');
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 200);
    assert.is(res[0].body, 'got hello');
    // the connection stays usable
    await c.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitFor(() => c.responses().length === 2, 2000, 'second response');
  });
});

test('100 Continue with a chunked body', async () => {
  const go = deferred();
  go.resolve();
  await withServer(readWhenTold(go.promise, { receive: false }), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n');
    await c.waitFor(() => c.text === 'HTTP/1.1 100 Continue\r\n\r\n', 2000, '100 Continue');
    await c.write('3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].body, 'got abcde');
  });
});

test('an app that answers without reading sends no 100, and the connection is closed with connection: close', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 417, TEXT, 'no thanks');
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write(HEAD);
    await c.waitResponses(1);
    await c.waitEnded();
    assert.not.ok(c.text.includes('100 Continue'));
    const res = c.allResponses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 417);
    // The client may still send the body it announced, so the server cannot read on;
    // it must say so (RFC 9112 §9.6) rather than close a connection it called persistent.
    assert.is(res[0].headers.connection, 'close');
  });
});

test('no 100 Continue when the client sent the body without waiting; the connection stays open', async () => {
  const called = { receive: false };
  const app: App = async (_scope, receive, send) => {
    await sleep(20);
    called.receive = true;
    const m = await receive();
    respond(send, 200, TEXT, m.type === 'http.request' ? Buffer.from(m.body).toString() : 'disconnect');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write(HEAD + 'hello');
    const res = await c.waitResponses(1);
    assert.is(res[0].body, 'hello');
    assert.ok(called.receive);
    // a 100 after the body was fully received is allowed but useless; either way the
    // final response must be intact and the connection reusable
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => c.responses().length === 2, 2000, 'second response');
  });
});

test("Expect behind a slow pipelined request: the 100 goes out once it is that request's turn, after the earlier response", async () => {
  const app: App = async (scope, receive, send) => {
    if (scope.path === '/slow') {
      await sleep(50);
      return respond(send, 200, TEXT, 'slow');
    }
    const m = await receive(); // asks for the body at once, while /slow is still answering
    respond(send, 200, TEXT, m.type === 'http.request' ? `got ${Buffer.from(m.body).toString()}` : 'disconnect');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nPOST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n');
    await c.waitFor(() => c.text.includes('100 Continue'), 2000, '100 Continue');
    const all = c.allResponses();
    assert.equal(
      all.map((r) => r.status),
      [200, 100],
      '100 only after the earlier response',
    );
    await c.write('hi');
    const res = await c.waitResponses(2);
    assert.equal(
      res.map((r) => r.body),
      ['slow', 'got hi'],
    );
  });
});

test('an unsupported expectation gets 417', async () => {
  let dispatched = false;
  const app: App = (_scope, _receive, send) => {
    dispatched = true;
    respond(send, 200, TEXT, 'x');
  };
  await withServer(app, {}, async ({ raw }) => {
    const r = await raw('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: something-else\r\n\r\nx');
    assert.ok(r.data.startsWith('HTTP/1.1 417 '), r.data);
    assert.ok(r.closed);
    assert.not.ok(dispatched);
  });
});

test('HTTP/1.0 with Expect gets no 100 Continue (RFC 9110 §10.1.1)', async () => {
  const app: App = async (_scope, receive, send) => {
    const m = await receive();
    respond(send, 200, TEXT, m.type === 'http.request' ? Buffer.from(m.body).toString() : '');
  };
  await withServer(app, {}, async ({ raw }) => {
    const r = await raw('POST / HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nok');
    assert.not.ok(r.data.includes('100 Continue'));
    assert.ok(r.data.startsWith('HTTP/1.1 200 OK'));
    assert.ok(r.data.endsWith('ok'));
  });
});

test.run();
