// 'upgrade' with the ws library: handleUpgrade(req, socket, head) on the socket the transport hands over.
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket, { WebSocketServer } from 'ws';
import { createServer } from '../../src/node/index.js';

const Upgrade = suite('upgrade event');

Upgrade('ws echo: 1000 messages back in order, plain requests still answered', async () => {
  const server = createServer((_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    assert.is(req.url, '/echo?x=1');
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo?x=1`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const got: string[] = [];
    const all = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length} echoes`)), 10_000);
      ws.on('message', (d) => {
        got.push(d.toString());
        if (got.length === 1000) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    for (let i = 0; i < 1000; i++) ws.send(`message ${i}`);
    await all;
    assert.equal(
      got,
      Array.from({ length: 1000 }, (_, i) => `message ${i}`),
    );
    ws.close();
    const r = await fetch(`http://127.0.0.1:${port}/`);
    assert.is(await r.text(), 'plain');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

Upgrade.run();
