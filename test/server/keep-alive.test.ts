// RFC 9112 §9.3: persistence. Keep-alive by default on HTTP/1.1, close by default on
// HTTP/1.0, and `Connection: close` honoured from either side.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { sleep, withServer, type ParsedResponse, type RawClient } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const CLOSE = encodeHeaders({ 'content-type': 'text/plain', connection: 'close' });

/** Answers with the request path; counts what it was asked. */
function echoPath(seen: string[]): App {
  return (scope, _receive, send) => {
    seen.push(scope.path);
    respond(send, 200, TEXT, scope.path);
  };
}

/**
 * Writes `bytes`, waits for the server to close and a little more (so a response to
 * anything pipelined after the close would have arrived), and checks that exactly one
 * response came, announcing close. Returns it.
 */
async function onlyResponseThenClose(c: RawClient, bytes: string): Promise<ParsedResponse> {
  await c.write(bytes);
  await c.waitEnded();
  await sleep(30);
  const res = c.responses();
  assert.is(res.length, 1);
  assert.is(res[0]!.headers.connection, 'close', 'exactly one connection field, saying close');
  return res[0]!;
}

test('HTTP/1.1 keeps the connection open by default: three requests, one after another', async () => {
  const seen: string[] = [];
  await withServer(echoPath(seen), {}, async ({ connect, accepted }) => {
    const c = await connect();
    for (let i = 1; i <= 3; i++) {
      await c.write(`GET /r${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const res = await c.waitResponses(i);
      assert.is(res[i - 1].status, 200);
      assert.is(res[i - 1].body, `/r${i}`);
      assert.is(res[i - 1].headers.connection, undefined, '1.1 keep-alive needs no connection header');
    }
    await sleep(50);
    assert.not.ok(c.ended, 'connection still open');
    assert.is(accepted.length, 1, 'all three on one TCP connection');
    assert.equal(seen, ['/r1', '/r2', '/r3']);
  });
});

test('HTTP/1.0 without keep-alive: connection: close, then the server closes', async () => {
  const seen: string[] = [];
  await withServer(echoPath(seen), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /old HTTP/1.0\r\n\r\n');
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 200);
    assert.is(res[0].body, '/old');
    assert.is(res[0].headers.connection, 'close');
    assert.ok(c.text.startsWith('HTTP/1.1 200 OK\r\n'));
  });
});

test('HTTP/1.0 with Connection: keep-alive gets connection: keep-alive and stays open', async () => {
  const seen: string[] = [];
  await withServer(echoPath(seen), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    let res = await c.waitResponses(1);
    assert.is(res[0].headers.connection, 'keep-alive');
    assert.is(res[0].body, '/a');
    await sleep(50);
    assert.not.ok(c.ended);
    await c.write('GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    res = await c.waitResponses(2);
    assert.is(res[1].headers.connection, 'keep-alive');
    assert.is(res[1].body, '/b');
    // and a 1.0 request without the token on the same connection ends it
    await c.write('GET /c HTTP/1.0\r\n\r\n');
    await c.waitEnded();
    res = c.responses();
    assert.is(res.length, 3);
    assert.is(res[2].headers.connection, 'close');
    assert.equal(seen, ['/a', '/b', '/c']);
  });
});

test('client Connection: close: response says close, server closes, a pipelined request after it is not answered', async () => {
  const seen: string[] = [];
  await withServer(echoPath(seen), {}, async ({ connect }) => {
    const c = await connect();
    const r = await onlyResponseThenClose(c, 'GET /first HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is(r.body, '/first');
    assert.equal(seen, ['/first']);
  });
});

test('Connection: close on the second of three pipelined requests: the first is answered normally, the third never', async () => {
  const seen: string[] = [];
  const app: App = async (scope, _receive, send) => {
    seen.push(scope.path);
    if (scope.path === '/a') await sleep(30);
    respond(send, 200, TEXT, scope.path);
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    await sleep(20);
    const res = c.responses();
    assert.equal(
      res.map((r) => r.body),
      ['/a', '/b'],
    );
    assert.equal(
      res.map((r) => r.headers.connection),
      [undefined, 'close'],
    );
    assert.equal(seen, ['/a', '/b']);
  });
});

test('client Connection: close is recognised case-insensitively among other tokens', async () => {
  const seen: string[] = [];
  await withServer(echoPath(seen), {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /t HTTP/1.1\r\nHost: x\r\nConnection: TE, CLOSE\r\nTE: trailers\r\n\r\n');
    await c.waitEnded();
    assert.is(c.responses()[0].headers.connection, 'close');
  });
});

test('app sets connection: close (ASGI headers): sent once, server closes, next pipelined request not answered', async () => {
  const seen: string[] = [];
  const app: App = async (scope, _receive, send) => {
    seen.push(scope.path);
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [
        ['content-type', 'text/plain'],
        ['connection', 'close'],
      ],
    });
    await send({ type: 'http.response.body', body: 'bye' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    const r = await onlyResponseThenClose(c, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is(r.body, 'bye');
    assert.equal(seen, ['/1']);
  });
});

test('app sets connection: close (fast path, encodeHeaders): server closes after the response', async () => {
  const seen: string[] = [];
  const app: App = (scope, _receive, send) => {
    seen.push(scope.path);
    respond(send, 200, CLOSE, 'bye');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    const r = await onlyResponseThenClose(c, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is(r.body, 'bye');
    assert.equal(seen, ['/1']);
  });
});

test('app sets connection: close after an await: nothing is written after the closing response', async () => {
  // /slow decides to close only after 30 ms; /fast, pipelined behind it, was already
  // dispatched and answers at once. RFC 9112 §9.6: after a response with close the
  // server sends nothing more on that connection.
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/slow') {
      await sleep(30);
      respond(send, 200, CLOSE, 'closing');
    } else respond(send, 200, TEXT, 'fast');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    await sleep(30);
    const res = c.responses();
    assert.is(res.length, 1, c.text);
    assert.is(res[0].body, 'closing');
    assert.is(res[0].headers.connection, 'close');
  });
});

test.run();
