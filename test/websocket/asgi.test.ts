// The ASGI websocket interface (no onUpgrade hook): real `ws` clients and raw sockets.
import { once } from 'node:events';
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import type { App, WebSocketEvent, WebSocketReceive } from '../../src/types.js';
import { until, withServer } from '../helpers/raw.js';
import { HANDSHAKE, echoApp, frame, open, serverFrames } from './client.js';

test('1000 text messages come back in order', async () => {
  await withServer(echoApp, {}, async ({ port }) => {
    const c = await open(`ws://127.0.0.1:${port}/echo`);
    for (let i = 0; i < 1000; i++) c.ws.send(`m${i}`);
    await until(() => c.messages.length === 1000, 10_000, '1000 echoes');
    assert.equal(
      c.messages,
      Array.from({ length: 1000 }, (_, i) => `m${i}`),
    );
    c.ws.close();
    assert.is((await c.closed).code, 1005);
  });
});

test('a 4 MiB binary message comes back intact', async () => {
  await withServer(echoApp, {}, async ({ port }) => {
    const c = await open(`ws://127.0.0.1:${port}/`);
    const big = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) & 0xff;
    c.ws.send(big);
    await until(() => c.messages.length === 1, 10_000, 'the echo');
    assert.ok(Buffer.isBuffer(c.messages[0]) && big.equals(c.messages[0] as Buffer));
    c.ws.close(1000);
  });
});

test('a frame in the same packet as the handshake is received', async () => {
  await withServer(echoApp, {}, async ({ port }) => {
    const s = net.connect(port, '127.0.0.1');
    await once(s, 'connect');
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.write(Buffer.concat([Buffer.from(HANDSHAKE('/x')), frame(1, Buffer.from('early'))]));
    await until(() => serverFrames(Buffer.concat(chunks)).length >= 1, 3000, 'the echo');
    const all = Buffer.concat(chunks);
    assert.ok(all.toString('latin1').startsWith('HTTP/1.1 101 Switching Protocols\r\n'));
    assert.ok(all.toString('latin1').includes('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n'), 'RFC 6455 §1.3 example accept value');
    const [op, payload] = serverFrames(all)[0]!;
    assert.is(op, 1);
    assert.is(payload.toString(), 'early');
    s.destroy();
  });
});

test('fragmented messages are reassembled', async () => {
  await withServer(echoApp, {}, async ({ port }) => {
    const c = await open(`ws://127.0.0.1:${port}/`);
    c.ws.send('hel', { fin: false });
    c.ws.send('lo ', { fin: false });
    c.ws.send('world', { fin: true });
    c.ws.send(Buffer.from([1, 2]), { fin: false, binary: true });
    c.ws.send(Buffer.from([3]), { fin: true, binary: true });
    await until(() => c.messages.length === 2, 3000, 'two echoes');
    assert.is(c.messages[0], 'hello world');
    assert.equal([...(c.messages[1] as Buffer)], [1, 2, 3]);
    c.ws.close();
  });
});

test('ping from the client gets a pong; the server pings at wsPingInterval', async () => {
  await withServer(echoApp, { wsPingInterval: 300, wsPingTimeout: 2000 }, async ({ port }) => {
    const c = await open(`ws://127.0.0.1:${port}/`);
    const pong = once(c.ws, 'pong');
    c.ws.ping(Buffer.from('p1'));
    assert.is(((await pong)[0] as Buffer).toString(), 'p1');
    await once(c.ws, 'ping'); // ws answers it with a pong itself
    c.ws.close();
  });
});

test('a peer that never answers pings is dropped after wsPingTimeout', async () => {
  let disconnect: WebSocketEvent | null = null;
  const app: App = async (_s, r, send) => {
    const receive = r as unknown as WebSocketReceive;
    await receive();
    await send({ type: 'websocket.accept' });
    disconnect = await receive();
  };
  await withServer(app, { wsPingInterval: 200, wsPingTimeout: 300 }, async ({ port }) => {
    const s = net.connect(port, '127.0.0.1');
    await once(s, 'connect');
    s.on('data', () => {}); // reads, never answers
    s.write(HANDSHAKE());
    await until(() => disconnect !== null, 4000, 'the disconnect');
    assert.is((disconnect as unknown as { code: number }).code, 1006);
    await until(() => s.destroyed || s.readableEnded, 2000, 'the socket closed');
    s.destroy();
  });
});

test('close codes both ways', async () => {
  const seen: WebSocketEvent[] = [];
  const app: App = async (_s, r, send) => {
    const receive = r as unknown as WebSocketReceive;
    await receive();
    await send({ type: 'websocket.accept' });
    const m = await receive();
    if (m.type === 'websocket.receive' && m.text === 'close me') return send({ type: 'websocket.close', code: 4002, reason: 'as asked' });
    seen.push(m);
  };
  await withServer(app, {}, async ({ port }) => {
    const a = await open(`ws://127.0.0.1:${port}/`);
    a.ws.close(4001, 'bye');
    assert.equal(await a.closed, { code: 4001, reason: 'bye' });
    await until(() => seen.length === 1, 2000, 'the app saw it');
    assert.equal(seen[0], { type: 'websocket.disconnect', code: 4001, reason: 'bye' });
    const b = await open(`ws://127.0.0.1:${port}/`);
    b.ws.send('close me');
    assert.equal(await b.closed, { code: 4002, reason: 'as asked' });
  });
});

test('permessage-deflate is negotiated when offered, and off when disabled', async () => {
  const text = 'compressible '.repeat(2000);
  for (const on of [true, false]) {
    await withServer(echoApp, { wsPerMessageDeflate: on }, async ({ port }) => {
      const c = await open(`ws://127.0.0.1:${port}/`, undefined, { perMessageDeflate: true });
      assert.is(c.ws.extensions.includes('permessage-deflate'), on);
      c.ws.send(text);
      await until(() => c.messages.length === 1, 3000, 'the echo');
      assert.is(c.messages[0], text);
      c.ws.close();
    });
  }
});

test('accept with a subprotocol and extra headers; the scope is a websocket scope', async () => {
  const scopes: string[] = [];
  const app: App = async (scope, r, send) => {
    scopes.push(`${scope.type} ${scope.scheme} ${scope.path} ${scope.queryString} ${scope.headers.get('sec-websocket-protocol')}`);
    await (r as unknown as WebSocketReceive)();
    await send({ type: 'websocket.accept', subprotocol: 'chat.v2', headers: { 'x-session': 'abc' } });
  };
  await withServer(app, {}, async ({ port }) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/room?id=7`, ['chat.v1', 'chat.v2']);
    const upgraded = once(ws, 'upgrade');
    const opened = once(ws, 'open'); // emitted in the same tick as 'upgrade'
    const closed = once(ws, 'close');
    const [res] = await upgraded;
    await opened;
    assert.is(ws.protocol, 'chat.v2');
    assert.is(res.headers['x-session'], 'abc');
    assert.equal(scopes, ['websocket ws /room id=7 chat.v1,chat.v2']);
    assert.is((await closed)[0], 1000, 'the app returned: closed with 1000');
  });
});

test('a denial response, a close before accept (403), an app error before (500) and after accept (1011)', async () => {
  const app: App = async (scope, r, send) => {
    await (r as unknown as WebSocketReceive)();
    if (scope.path === '/deny') {
      await send({ type: 'websocket.http.response.start', status: 401, headers: { 'content-type': 'text/plain' } });
      await send({ type: 'websocket.http.response.body', body: 'who are you' });
    } else if (scope.path === '/close') await send({ type: 'websocket.close' });
    else if (scope.path === '/throw') throw new Error('before accept');
    else {
      await send({ type: 'websocket.accept' });
      throw new Error('after accept');
    }
  };
  await withServer(app, {}, async ({ port, logs }) => {
    const refused = async (path: string): Promise<[number, string]> => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
      ws.on('error', () => {});
      const [, res] = await once(ws, 'unexpected-response');
      let body = '';
      for await (const chunk of res) body += chunk;
      return [res.statusCode, body];
    };
    assert.equal(await refused('/deny'), [401, 'who are you']);
    assert.is((await refused('/close'))[0], 403);
    assert.is((await refused('/throw'))[0], 500);
    const c = await open(`ws://127.0.0.1:${port}/after`);
    assert.is((await c.closed).code, 1011);
    assert.is(logs.filter((l) => l.level === 'error').length, 2);
  });
});

test('a bad key or method gets 400, another version 426 with Sec-WebSocket-Version: 13; the app is not called', async () => {
  let calls = 0;
  const app: App = async () => {
    calls++;
  };
  await withServer(app, {}, async ({ raw }) => {
    const bad = HANDSHAKE().replace('dGhlIHNhbXBsZSBub25jZQ==', 'short');
    const r1 = await raw(bad);
    assert.ok(r1.data.startsWith('HTTP/1.1 400 '), r1.data);
    const r2 = await raw(HANDSHAKE().replace('Version: 13', 'Version: 8'));
    assert.ok(r2.data.startsWith('HTTP/1.1 426 '), r2.data);
    assert.match(r2.data.toLowerCase(), 'sec-websocket-version: 13\r\n');
    const r3 = await raw(HANDSHAKE().replace('GET', 'POST'));
    assert.ok(r3.data.startsWith('HTTP/1.1 400 '), r3.data);
    assert.is(calls, 0);
  });
});

test('an upgrade to another protocol (h2c) is served as plain HTTP', async () => {
  const seen: string[] = [];
  const app: App = async (scope, _r, send) => {
    seen.push(`${scope.type} ${scope.scheme}`);
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'plain' });
  };
  await withServer(app, {}, async ({ raw }) => {
    const r = await raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n');
    assert.ok(r.data.startsWith('HTTP/1.1 200 OK\r\n'), r.data);
    assert.ok(r.data.endsWith('plain'));
    assert.equal(seen, ['http http']);
  });
});

test.run();
