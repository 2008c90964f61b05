// app.websocket(path, handler): Starlette's WebSocket in camelCase, over a real `ws` client.
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { Faster, HTTPException } from '../../src/index.js';
import type { Server } from '../../src/server/server.js';
import { until } from '../helpers/raw.js';
import { open } from './client.js';

async function withApp(app: Faster, fn: (port: number) => Promise<void>): Promise<void> {
  const server: Server = await app.listen({ port: 0 });
  try {
    await fn(server.address().port);
  } finally {
    await server.close();
  }
}

async function refused(url: string): Promise<[number, string]> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  const [, res] = await once(ws, 'unexpected-response');
  let body = '';
  for await (const chunk of res) body += chunk;
  return [res.statusCode, body];
}

test('a websocket route: accept, pathParams, query, headers, client, url; text, bytes and JSON both ways', async () => {
  const seen: unknown[] = [];
  const app = new Faster({ logger: { error() {}, warn() {}, info() {} } });
  app.get('/rooms/:room', () => 'http');
  app.websocket('/rooms/:room', async (ws) => {
    seen.push([ws.pathParams.room, ws.query.get('u'), ws.headers.get('x-token'), ws.client?.[0], ws.url.href]);
    await ws.accept({ subprotocol: 'v1' });
    await ws.sendText(`hi ${await ws.receiveText()}`);
    await ws.sendBytes((await ws.receiveBytes()).reverse());
    await ws.sendJson({ got: await ws.receiveJson() });
    const rest: (string | Uint8Array)[] = [];
    for await (const m of ws) rest.push(m);
    seen.push(rest.length);
  });
  await withApp(app, async (port) => {
    const c = await open(`ws://127.0.0.1:${port}/rooms/blue?u=ann`, 'v1', { headers: { 'x-token': 't' } });
    assert.is(c.ws.protocol, 'v1');
    c.ws.send('ann');
    c.ws.send(Buffer.from([1, 2, 3]));
    c.ws.send(JSON.stringify([1, 'a']));
    c.ws.send('x');
    c.ws.send('y');
    await until(() => c.messages.length === 3, 3000, 'three answers');
    assert.is(c.messages[0], 'hi ann');
    assert.equal([...(c.messages[1] as Buffer)], [3, 2, 1]);
    assert.equal(JSON.parse(c.messages[2] as string), { got: [1, 'a'] });
    c.ws.close(1000);
    assert.is((await c.closed).code, 1000);
    await until(() => seen.length === 2, 2000, 'the handler ended');
    assert.equal(seen[0], ['blue', 'ann', 't', '127.0.0.1', `ws://127.0.0.1:${port}/rooms/blue?u=ann`]);
    assert.is(seen[1], 2);
  });
});

test('no websocket route at the path: 404, also where an HTTP route exists', async () => {
  const app = new Faster();
  app.get('/plain', () => 'ok');
  app.websocket('/ws', async (ws) => ws.accept());
  await withApp(app, async (port) => {
    assert.is((await refused(`ws://127.0.0.1:${port}/nothing`))[0], 404);
    assert.is((await refused(`ws://127.0.0.1:${port}/plain`))[0], 404);
  });
});

test('an exception before accept answers 500 (an HTTPException its status); after accept closes with 1011; close() before accept is 403', async () => {
  const errors: string[] = [];
  const app = new Faster({ logger: { error: (m: string) => void errors.push(m), warn() {}, info() {} } });
  app.websocket('/boom', () => {
    throw new Error('before');
  });
  app.websocket('/teapot', () => {
    throw new HTTPException(418, 'no');
  });
  app.websocket('/later', async (ws) => {
    await ws.accept();
    throw new Error('after');
  });
  app.websocket('/closed', (ws) => ws.close());
  await withApp(app, async (port) => {
    assert.is((await refused(`ws://127.0.0.1:${port}/boom`))[0], 500);
    assert.equal(await refused(`ws://127.0.0.1:${port}/teapot`), [418, '{"detail":"no"}']);
    assert.is((await refused(`ws://127.0.0.1:${port}/closed`))[0], 403);
    const c = await open(`ws://127.0.0.1:${port}/later`);
    assert.is((await c.closed).code, 1011);
    assert.is(errors.length, 2);
  });
});

test('the client closing ends receiveText() with WebSocketDisconnect (code and reason)', async () => {
  let caught: unknown = null;
  const app = new Faster();
  app.websocket('/', async (ws) => {
    await ws.accept();
    try {
      await ws.receiveText();
    } catch (err) {
      caught = err;
    }
  });
  await withApp(app, async (port) => {
    const c = await open(`ws://127.0.0.1:${port}/`);
    c.ws.close(4100, 'leaving');
    await until(() => caught !== null, 2000, 'the disconnect');
    assert.is((caught as { name: string }).name, 'WebSocketDisconnect');
    assert.is((caught as { code: number }).code, 4100);
    assert.is((caught as { reason: string }).reason, 'leaving');
  });
});

test.run();
