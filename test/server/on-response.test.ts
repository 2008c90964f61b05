// ServerOptions.onResponse: called once per ended response, in order, with the scope still
// readable (the access log's hook), and a throwing hook is logged, never fatal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, encodeHeaders, respond, type App, type CreateServerOptions } from '../../src/index.js';
import { parseResponses } from '../helpers/raw.js';
import { exchange } from '../app/serve.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

async function withServerAnd(app: App, options: CreateServerOptions, fn: (raw: (bytes: string) => Promise<string>) => Promise<void>): Promise<void> {
  const server = await createServer(app, options).listen(0, '127.0.0.1');
  try {
    await fn((bytes) => exchange(server.address().port, bytes));
  } finally {
    await server.close();
  }
}

test('onResponse: each response once, in request order, with its status, method, path and start time', async () => {
  const seen: string[] = [];
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/slow') await new Promise((r) => setTimeout(r, 30));
    if (scope.path === '/stream') {
      await send({ type: 'http.response.start', status: 201, headers: [] });
      await send({ type: 'http.response.body', body: 'a', moreBody: true });
      await send({ type: 'http.response.body', body: 'b' });
      return;
    }
    return respond(send, scope.path === '/missing' ? 404 : 200, TEXT, scope.path);
  };
  const before = performance.now();
  await withServerAnd(
    app,
    {
      onResponse: (scope, status, startedAt) => {
        seen.push(`${scope.method} ${scope.path} ${status} ${startedAt >= before && startedAt <= performance.now()}`);
      },
    },
    async (raw) => {
      const out = await raw('GET /slow HTTP/1.1\r\nhost: x\r\n\r\nGET /missing HTTP/1.1\r\nhost: x\r\n\r\nPOST /stream HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n');
      assert.is(parseResponses(out).length, 3);
    },
  );
  assert.equal(seen, ['GET /slow 200 true', 'GET /missing 404 true', 'POST /stream 201 true']);
});

test('onResponse that throws: the error is logged, the responses still go out', async () => {
  const errors: string[] = [];
  const app: App = (_scope, _receive, send) => respond(send, 200, TEXT, 'ok');
  await withServerAnd(
    app,
    {
      logger: { error: (m: string) => errors.push(m), warn() {}, info() {} },
      onResponse: () => {
        throw new Error('log sink down');
      },
    },
    async (raw) => {
      const out = await raw('GET /a HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\r\nhost: x\r\n\r\n');
      assert.equal(
        parseResponses(out).map((r) => r.body),
        ['ok', 'ok'],
      );
    },
  );
  assert.equal(errors, ['onResponse hook failed', 'onResponse hook failed']);
});

test.run();
