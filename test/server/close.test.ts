// server.close(): stops accepting, lets in-flight requests finish, closes idle
// keep-alive connections, and resolves when everything is closed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { RawClient, accepts, deferred, recordingLogger, sleep, until, type LogRecord } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

const refused = async (port: number): Promise<boolean> => !(await accepts(port));

test('close(): idle connections closed at once, the slow in-flight request finishes, new connections refused, then resolves', async () => {
  const logs: LogRecord[] = [];
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/slow') await sleep(300);
    respond(send, 200, TEXT, `done ${scope.path}`);
  };
  const server = createServer(app, { logger: recordingLogger(logs) });
  await server.listen(0, '127.0.0.1');
  const port = server.address().port;
  const clients: RawClient[] = [];
  try {
    const idle = await RawClient.connect(port);
    const busy = await RawClient.connect(port);
    clients.push(idle, busy);
    await idle.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.waitResponses(1);
    await busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(30);

    const t0 = Date.now();
    let resolvedAt = 0;
    const closing = server.close().then(() => void (resolvedAt = Date.now()));

    await idle.waitEnded(500);
    assert.ok(Date.now() - t0 < 250, 'the idle keep-alive connection is closed right away');
    assert.is(idle.responses().length, 1, 'and gets no extra bytes');

    assert.ok(await refused(port), 'new connections are refused');
    assert.is(resolvedAt, 0, 'close() waits for the in-flight request');

    await busy.waitEnded(2000);
    const res = busy.responses();
    assert.is(res.length, 1);
    assert.is(res[0].body, 'done /slow');
    assert.is(res[0].headers.connection, 'close', 'the last response announces the close');

    await Promise.race([closing, sleep(2000)]);
    assert.ok(resolvedAt > 0, 'close() resolved');
    assert.ok(resolvedAt - t0 >= 250, 'not before the slow response');
    assert.is(server.connections, 0);
    assert.is(errorsOnly(logs).length, 0);
  } finally {
    for (const c of clients) c.destroy();
    await Promise.race([server.close(), sleep(3000)]);
  }
});

function errorsOnly(logs: LogRecord[]): LogRecord[] {
  return logs.filter((l) => l.level === 'error');
}

test('close() with pipelined requests in flight: all of them are answered, only the last says close', async () => {
  const release = deferred();
  const app: App = async (scope, _receive, send) => {
    await release.promise;
    respond(send, 200, TEXT, scope.path);
  };
  const server = createServer(app, { logger: recordingLogger([]) });
  await server.listen(0, '127.0.0.1');
  const c = await RawClient.connect(server.address().port);
  try {
    await c.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(30);
    const closing = server.close();
    await sleep(30);
    release.resolve();
    await c.waitEnded();
    const res = c.responses();
    assert.equal(
      res.map((r) => r.body),
      ['/1', '/2', '/3'],
    );
    assert.equal(
      res.map((r) => r.headers.connection),
      [undefined, undefined, 'close'],
    );
    await Promise.race([closing, sleep(2000).then(() => assert.unreachable('close() did not resolve'))]);
  } finally {
    c.destroy();
    await Promise.race([server.close(), sleep(3000)]);
  }
});

test('close() with no connections resolves at once; calling it twice returns the same promise', async () => {
  const server = createServer(() => {}, { logger: recordingLogger([]) });
  await server.listen(0, '127.0.0.1');
  const t0 = Date.now();
  const a = server.close();
  const b = server.close();
  assert.is(a, b);
  await a;
  assert.ok(Date.now() - t0 < 200);
  assert.not.ok(server.net.listening);
});

test('close() on a server that never listened resolves', async () => {
  const server = createServer(() => {}, { logger: recordingLogger([]) });
  await Promise.race([server.close(), sleep(1000).then(() => assert.unreachable('hung'))]);
});

test('a request arriving on an idle connection during close() is not served after the connection was ended', async () => {
  let served = 0;
  const app: App = (_scope, _receive, send) => {
    served++;
    respond(send, 200, TEXT, 'x');
  };
  const server = createServer(app, { logger: recordingLogger([]) });
  await server.listen(0, '127.0.0.1');
  const c = await RawClient.connect(server.address().port);
  try {
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitResponses(1);
    const closing = server.close();
    await c.waitEnded(500);
    await Promise.race([closing, sleep(2000)]);
    assert.is(served, 1);
    await until(() => server.connections === 0, 500);
  } finally {
    c.destroy();
  }
});

test('listen() on a busy port rejects', async () => {
  const a = createServer(() => {}, { logger: recordingLogger([]) });
  await a.listen(0, '127.0.0.1');
  const b = createServer(() => {}, { logger: recordingLogger([]) });
  try {
    let err: unknown = null;
    await b.listen(a.address().port, '127.0.0.1').catch((e: unknown) => (err = e));
    assert.ok(err instanceof Error && /EADDRINUSE/.test(String((err as NodeJS.ErrnoException).code)), String(err));
  } finally {
    await a.close();
    await b.close();
  }
});

test.run();
