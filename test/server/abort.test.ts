// http.response.abort (our extension): an app drops a request without answering it. The
// connection closes after the responses before it, with no 500 and no log line; bytes of
// it already written are cut off, never completed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import { respond } from '../../src/server/respond.js';
import type { App } from '../../src/types.js';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNodeServer } from '../../src/node/index.js';
import { type LogRecord, RawClient, parseResponses, recordingLogger, sleep, withServer } from '../helpers/raw.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

test('abort before answering: the connection closes with nothing written and nothing logged', async () => {
  const app: App = async (_s, _r, send) => {
    await sleep(10);
    await send({ type: 'http.response.abort' });
  };
  const statuses: number[] = [];
  await withServer(app, { onResponse: (_s, status) => statuses.push(status) }, async ({ raw, logs, server }) => {
    const started = Date.now();
    const r = await raw(GET('/'), { timeout: 2000 });
    assert.ok(r.closed, 'closed');
    assert.is(r.data, '');
    assert.ok(Date.now() - started < 1000, 'promptly');
    await sleep(20);
    assert.equal(logs, []);
    assert.equal(statuses, [], 'no onResponse call for a request that got no answer');
    assert.is(server.connections, 0);
  });
});

test('abort from the synchronous part of the app, then the app returns: no 500', async () => {
  const app: App = (_s, _r, send) => {
    void send({ type: 'http.response.abort' });
  };
  await withServer(app, {}, async ({ raw, logs }) => {
    const r = await raw(GET('/'), { timeout: 2000 });
    assert.ok(r.closed);
    assert.is(r.data, '');
    assert.equal(logs, []);
  });
});

test('pipelined: the responses before the aborted one go out whole, nothing after it is answered', async () => {
  const seen: string[] = [];
  const app: App = async (scope, _r, send) => {
    seen.push(scope.path);
    if (scope.path === '/1') await sleep(30); // answered after /2 aborted
    if (scope.path === '/2') return send({ type: 'http.response.abort' });
    respond(send, 200, TEXT, `ok ${scope.path}`);
  };
  await withServer(app, {}, async ({ raw, logs }) => {
    const r = await raw(GET('/1') + GET('/2') + GET('/3'), { timeout: 2000 });
    assert.ok(r.closed);
    assert.equal(
      parseResponses(r.data).map((x) => x.body),
      ['ok /1'],
    );
    assert.equal(logs, []);
  });
});

test('abort after the head and part of a chunked body: the connection is cut, the body never completes', async () => {
  const app: App = async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'partial', moreBody: true });
    await sleep(20);
    await send({ type: 'http.response.abort' });
    await send({ type: 'http.response.body', body: 'more' }).catch(() => {});
  };
  await withServer(app, {}, async ({ raw, logs }) => {
    const r = await raw(GET('/'), { timeout: 2000 });
    assert.ok(r.closed);
    assert.ok(r.data.startsWith('HTTP/1.1 200 OK\r\n'), r.data);
    assert.ok(r.data.includes('partial'));
    assert.not.ok(r.data.includes('more'));
    assert.not.ok(r.data.endsWith('0\r\n\r\n'), 'no last chunk');
    assert.equal(logs, []);
  });
});

test('abort while the request body is still arriving and nobody reads it: closed, no 500', async () => {
  const app: App = async (_s, _r, send) => {
    await sleep(10);
    await send({ type: 'http.response.abort' });
  };
  await withServer(app, {}, async ({ connect, logs, server }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n' + 'x'.repeat(1000));
    await c.waitEnded();
    assert.is(c.text, '');
    assert.equal(logs, []);
    await sleep(20);
    assert.is(server.connections, 0);
  });
});

test('abort after the response ended does nothing: the connection stays open for the next request', async () => {
  const app: App = async (scope, _r, send) => {
    respond(send, 200, TEXT, scope.path);
    await send({ type: 'http.response.abort' });
  };
  await withServer(app, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write(GET('/a'));
    await c.waitResponses(1);
    await c.write(GET('/b'));
    const res = await c.waitResponses(2);
    assert.equal(
      res.map((x) => x.body),
      ['/a', '/b'],
    );
    assert.equal(logs, []);
  });
});

// The node layer on these paths, against node:http itself (its own server, the same listener).

type Make = (listener: http.RequestListener) => http.Server;
const SERVERS: [string, Make][] = [
  ['node:http', (l) => http.createServer(l)],
  ['fasterapi/node', (l) => createNodeServer({ logger: recordingLogger(nodeLogs) } as object, l) as unknown as http.Server],
];
const nodeLogs: LogRecord[] = [];

async function listening(make: Make, listener: http.RequestListener): Promise<[http.Server, number]> {
  const server = make(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return [server, (server.address() as AddressInfo).port];
}

for (const [name, make] of SERVERS) {
  for (const which of ['req', 'res'] as const) {
    test(`${name}: ${which}.destroy() before the head: the connection closes, nothing is written, nothing logged`, async () => {
      nodeLogs.length = 0;
      const [server, port] = await listening(make, (req, res) => {
        setTimeout(() => (which === 'req' ? req.destroy() : res.destroy()), 10);
      });
      const c = await RawClient.connect(port);
      try {
        await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        await c.waitEnded();
        assert.is(c.text, '');
        await sleep(20);
        assert.equal(nodeLogs, []);
      } finally {
        c.destroy();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });
  }

  test(`${name}: a client's FIN while the response is pending: req 'close' and res 'close' at once, nothing answered`, async () => {
    nodeLogs.length = 0;
    const events: string[] = [];
    let late: (() => void) | null = null;
    const [server, port] = await listening(make, (req, res) => {
      req.on('close', () => events.push('req close'));
      res.on('close', () => events.push(`res close${res.writableFinished ? ' finished' : ''}`));
      late = () => res.end('too late');
    });
    const c = await RawClient.connect(port, { allowHalfOpen: true });
    try {
      await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await sleep(30);
      c.end();
      await c.waitEnded(1000);
      await sleep(30);
      assert.equal(events.sort(), ['req close', 'res close']);
      late!();
      await sleep(20);
      assert.is(c.text, '');
      assert.equal(nodeLogs, []);
    } finally {
      c.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
}

test.run();
