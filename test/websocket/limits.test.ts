// Bad input per RFC 6455, message size, backpressure both ways, shutdown, middlewares.
import { once } from 'node:events';
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { HTTPSRedirectMiddleware, TrustedHostMiddleware } from '../../src/index.js';
import type { App, WebSocketReceive } from '../../src/types.js';
import { sleep, until, withServer } from '../helpers/raw.js';
import { HANDSHAKE, closeCode, echoApp, frame, open, serverFrames } from './client.js';

/** Opens a raw websocket, writes `bytes`, and returns what the server sent until it closed. */
async function rawSession(port: number, bytes: Buffer): Promise<{ frames: [number, Buffer][]; ended: boolean }> {
  const s = net.connect(port, '127.0.0.1');
  await once(s, 'connect');
  const chunks: Buffer[] = [];
  s.on('data', (d) => chunks.push(d));
  s.on('error', () => {});
  const ended = new Promise<boolean>((r) => s.on('close', () => r(true)));
  s.write(HANDSHAKE());
  await until(() => Buffer.concat(chunks).includes('\r\n\r\n'), 2000, 'the 101');
  s.write(bytes);
  const done = await Promise.race([ended, sleep(3000).then(() => false)]);
  s.destroy();
  return { frames: serverFrames(Buffer.concat(chunks)), ended: done };
}

test('RFC 6455 violations close with 1002, bad UTF-8 with 1007, an oversized message with 1009; the socket ends', async () => {
  await withServer(echoApp, { wsMaxSize: 1024 }, async ({ port, server }) => {
    const cases: [string, Buffer, number][] = [
      ['unmasked client frame (§5.1)', frame(1, Buffer.from('hi'), { mask: false }), 1002],
      ['reserved opcode 3 (§5.2)', frame(3, Buffer.from('x')), 1002],
      ['RSV bit without an extension (§5.2)', frame(1, Buffer.from('x'), { rsv: 2 }), 1002],
      ['invalid UTF-8 in a text frame (§8.1)', frame(1, Buffer.from([0xc3, 0x28])), 1007],
      ['control frame over 125 bytes (§5.5)', frame(9, Buffer.alloc(126)), 1002],
      ['fragmented control frame (§5.5)', frame(9, Buffer.from('p'), { fin: false }), 1002],
      ['message over wsMaxSize', frame(2, Buffer.alloc(2048)), 1009],
    ];
    for (const [what, bytes, code] of cases) {
      const r = await rawSession(port, bytes);
      assert.is(closeCode(r.frames), code, what);
      assert.ok(r.ended, `${what}: the server closed the connection`);
    }
    await until(() => server.connections === 0, 2000, 'nothing left open');
  });
});

test('a client that never reads: send() stalls and the server holds a bounded amount', async () => {
  let sent = 0;
  let stalled = false;
  const app: App = async (_s, r, send) => {
    await (r as unknown as WebSocketReceive)();
    await send({ type: 'websocket.accept' });
    const chunk = new Uint8Array(16 * 1024);
    for (let i = 0; i < 20_000; i++) {
      const p = send({ type: 'websocket.send', bytes: chunk });
      const first = await Promise.race([p.then(() => true), sleep(500).then(() => false)]);
      if (!first) {
        stalled = true;
        return;
      }
      sent++;
    }
  };
  await withServer(app, { wsPingInterval: 0 }, async ({ port }) => {
    const s = net.connect(port, '127.0.0.1');
    await once(s, 'connect');
    s.write(HANDSHAKE());
    s.pause(); // reads nothing at all
    await until(() => stalled, 10_000, 'send() stalled');
    // 20 000 × 16 KiB = 312 MiB if nothing held it back; the kernel buffers plus writeHighWater (256 KiB) is all.
    assert.ok(sent * 16 * 1024 < 32 * 1024 * 1024, `sent ${sent} messages before stalling`);
    s.destroy();
  });
});

test('with permessage-deflate, send() of messages past writeHighWater that compress to little resolves (no drain to wait for)', async () => {
  // Each 1 MiB of zeros is queued in ws while it compresses (bufferedAmount > writeHighWater),
  // then leaves as ~1 KiB: the socket never fills, so a wait on its 'drain' would never end.
  let done = 0;
  const app: App = async (_s, r, send) => {
    await (r as unknown as WebSocketReceive)();
    await send({ type: 'websocket.accept' });
    for (let i = 0; i < 10; i++) {
      await send({ type: 'websocket.send', bytes: new Uint8Array(1024 * 1024) });
      done++;
    }
  };
  await withServer(app, { wsPingInterval: 0 }, async ({ port }) => {
    const c = await open(`ws://127.0.0.1:${port}/`, undefined, { perMessageDeflate: true });
    assert.is(c.ws.extensions, 'permessage-deflate');
    await until(() => c.messages.length === 10, 5000, 'ten 1 MiB messages');
    assert.is(done, 10);
    assert.ok(c.messages.every((m) => (m as Buffer).length === 1024 * 1024 && (m as Buffer).every((b) => b === 0)));
    await c.closed;
  });
});

test('open websockets count toward maxConnections (503 past it); a slot frees when one closes', async () => {
  await withServer(echoApp, { wsPingInterval: 0, maxConnections: 2 }, async ({ port, server, connect }) => {
    const a = await open(`ws://127.0.0.1:${port}/`);
    const b = await open(`ws://127.0.0.1:${port}/`);
    assert.is(server.connections, 2);
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    assert.is(c.responses()[0]!.status, 503);
    a.ws.send('still open');
    await until(() => a.messages.length === 1, 2000, 'an echo on a counted websocket');
    b.ws.close(1000);
    await b.closed;
    await until(() => server.connections === 1, 2000, 'the closed websocket to leave the count');
    const d = await open(`ws://127.0.0.1:${port}/`);
    d.ws.send('in');
    await until(() => d.messages.length === 1, 2000, 'an echo on the freed slot');
    a.ws.close(1000);
    d.ws.close(1000);
    await Promise.all([a.closed, d.closed]);
  });
});

test('a handler that does not receive() stops the socket being read', async () => {
  const app: App = async (_s, r, send) => {
    await (r as unknown as WebSocketReceive)();
    await send({ type: 'websocket.accept' });
    await sleep(1500); // never receives
  };
  await withServer(app, { wsPingInterval: 0 }, async ({ port }) => {
    const c = await open(`ws://127.0.0.1:${port}/`, undefined, { perMessageDeflate: false }); // zeros would deflate to nothing
    const msg = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 400; i++) c.ws.send(msg); // 25 MiB
    await sleep(800);
    const socket = (c.ws as unknown as { _socket: net.Socket })._socket;
    assert.ok(socket.writableLength > 4 * 1024 * 1024, `client still holds ${socket.writableLength} bytes: the server stopped reading`);
    c.ws.terminate();
  });
});

test('server.close() finishes an in-flight HTTP response, then closes open websockets with 1001', async () => {
  const app: App = async (scope, receive, send) => {
    if (scope.type === 'websocket') return echoApp(scope, receive, send);
    await sleep(300);
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'slow done' });
  };
  await withServer(app, {}, async ({ port, server }) => {
    const a = await open(`ws://127.0.0.1:${port}/`);
    const b = await open(`ws://127.0.0.1:${port}/`);
    const order: string[] = [];
    const slow = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => {
      order.push(`http ${await r.text()}`);
    });
    await sleep(50);
    a.closed.then(() => order.push('ws closed'));
    const closing = server.close();
    const [ca, cb] = await Promise.all([a.closed, b.closed]);
    await slow;
    await closing;
    assert.is(ca.code, 1001);
    assert.is(cb.code, 1001);
    assert.equal(order, ['http slow done', 'ws closed']);
  });
});

test('TrustedHostMiddleware refuses a bad host with HTTP 400 (no 101); HTTPSRedirectMiddleware redirects ws to wss', async () => {
  const trusted = new TrustedHostMiddleware(echoApp, { allowedHosts: ['good.example'] });
  const app: App = (scope, receive, send) => trusted.dispatch(scope, receive, send);
  await withServer(app, {}, async ({ port }) => {
    const bad = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { host: 'evil.example' } });
    bad.on('error', () => {});
    const [, res] = await once(bad, 'unexpected-response');
    assert.is(res.statusCode, 400);
    const ok = await open(`ws://127.0.0.1:${port}/`, undefined, { headers: { host: 'good.example' } });
    ok.ws.send('x');
    await until(() => ok.messages.length === 1, 2000, 'echo through the middleware');
    ok.ws.close();
  });
  const redirect = new HTTPSRedirectMiddleware(echoApp, {});
  await withServer(
    (s, r, send) => redirect.dispatch(s, r, send),
    {},
    async ({ port }) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?x=1`, { headers: { host: 'site.example' } });
      ws.on('error', () => {});
      const [, res] = await once(ws, 'unexpected-response');
      assert.is(res.statusCode, 307);
      assert.is(res.headers.location, 'wss://site.example/chat?x=1');
    },
  );
});

test.run();
