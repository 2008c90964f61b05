// Hono's upgradeWebSocket on serve() from fasterapi/fetch, with a real `ws` client.
import { once } from 'node:events';
import { Hono } from 'hono';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { serve, upgradeWebSocket } from '../../src/fetch/index.js';
import { until } from '../helpers/raw.js';
import { open } from './client.js';

test('upgradeWebSocket: open, text and binary echo, close seen by onClose; other routes and denials stay HTTP', async () => {
  const events: string[] = [];
  const app = new Hono();
  app.get('/', (c) => c.text('home'));
  app.get('/private', (c) => c.text('no', 401));
  app.get(
    '/ws',
    upgradeWebSocket((c) => ({
      onOpen: (_e, ws) => events.push(`open ${ws.url?.pathname} ${c.req.query('q')}`),
      onMessage: (e, ws) => ws.send(typeof e.data === 'string' ? `echo ${e.data}` : new Uint8Array(e.data as ArrayBuffer).reverse()),
      onClose: (e) => events.push(`close ${(e as CloseEvent).code}`),
    })),
  );
  const server = serve({ fetch: app.fetch, port: 0 });
  await once(server, 'listening');
  const port = server.address().port;
  try {
    const c = await open(`ws://127.0.0.1:${port}/ws?q=1`);
    c.ws.send('hi');
    c.ws.send(Buffer.from([1, 2, 3]));
    await until(() => c.messages.length === 2, 3000, 'two echoes');
    assert.is(c.messages[0], 'echo hi');
    assert.equal([...(c.messages[1] as Buffer)], [3, 2, 1]);
    c.ws.close(4000, 'done');
    await c.closed;
    await until(() => events.length === 2, 2000, 'onClose');
    assert.equal(events, ['open /ws 1', 'close 4000']);
    assert.is(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'home');
    for (const [path, status] of [
      ['/nowhere', 404],
      ['/private', 401],
    ] as const) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
      ws.on('error', () => {});
      const [, res] = await once(ws, 'unexpected-response');
      assert.is(res.statusCode, status, path);
    }
  } finally {
    await server.close();
  }
});

test.run();
