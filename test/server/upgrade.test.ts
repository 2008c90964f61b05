// Upgrade requests (RFC 9110 §7.8, e.g. WebSocket): the app sees a scope of type
// 'websocket'; on { type: 'websocket.accept' } the socket and the bytes already read
// after the head go to the onUpgrade hook, as node:http's 'upgrade' event does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'node:net';
import { encodeHeaders } from '../../src/index.js';
import type { App, Scope, UpgradeHook } from '../../src/types.js';
import { once } from 'node:events';
import WebSocket, { WebSocketServer } from 'ws';
import { deferred, sleep, until, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const UPGRADE_HEAD =
  'GET /chat?room=1 HTTP/1.1\r\nHost: example.com:8080\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

interface Seen {
  type: string;
  scheme: string;
  path: string;
  queryString: string;
  upgrade: string | null;
}

function snapshot(scope: Scope): Seen {
  return { type: scope.type, scheme: scope.scheme, path: scope.path, queryString: scope.queryString, upgrade: scope.headers.get('upgrade') };
}

/** Hook that answers 101 and then echoes every byte back prefixed with "echo:". */
function echoHook(got: { head: Buffer | null; scope: Seen | null; socket: Socket | null }): UpgradeHook {
  return (scope, socket, head) => {
    got.head = Buffer.from(head);
    got.scope = snapshot(scope);
    got.socket = socket;
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    if (head.length > 0) socket.write(Buffer.concat([Buffer.from('echo:'), head]));
    // No resume(): the socket comes as node:http's 'upgrade' gives it, and on('data') starts the flow.
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
  };
}

test('app sees scope.type websocket and scheme ws; accept hands the socket and the extra bytes to the hook', async () => {
  const seen: Seen[] = [];
  const got = { head: null as Buffer | null, scope: null as Seen | null, socket: null as Socket | null };
  const app: App = async (scope, _receive, send) => {
    seen.push(snapshot(scope));
    await send({ type: 'websocket.accept' });
  };
  await withServer(app, { onUpgrade: echoHook(got) }, async ({ connect, server }) => {
    const c = await connect();
    // head and the first frame bytes in one write: the hook must get those bytes
    await c.write(UPGRADE_HEAD + 'FRAME-1');
    await c.waitFor(() => c.text.includes('echo:FRAME-1'), 2000, 'the extra bytes echoed');
    assert.equal(seen, [{ type: 'websocket', scheme: 'ws', path: '/chat', queryString: 'room=1', upgrade: 'websocket' }]);
    assert.ok(c.text.startsWith('HTTP/1.1 101 Switching Protocols\r\n'), 'only the hook wrote: no transport response before it');
    assert.is(got.head!.toString(), 'FRAME-1');
    assert.equal(got.scope, seen[0]);
    // the socket is the hook's now: later bytes go to it, not to the HTTP parser
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitFor(() => c.text.includes('echo:GET / HTTP/1.1'), 2000, 'raw bytes echoed by the hook');
    assert.not.ok(c.text.includes('HTTP/1.1 200'), 'not parsed as HTTP');
    assert.is(server.core.connections.size, 0, 'the transport let go of the connection');
    assert.is(server.connections, 1, 'the upgraded socket still counts as open (maxConnections)');
    got.socket!.destroy();
  });
});

test('upgrade with no bytes after the head: the hook gets an empty head', async () => {
  const got = { head: null as Buffer | null, scope: null as Seen | null, socket: null as Socket | null };
  const app: App = async (_scope, _receive, send) => send({ type: 'websocket.accept' });
  await withServer(app, { onUpgrade: echoHook(got) }, async ({ connect }) => {
    const c = await connect();
    await c.write(UPGRADE_HEAD);
    await c.waitFor(() => c.text.includes('101 Switching'), 2000, '101');
    assert.is(got.head!.length, 0);
    await c.write('ping');
    await c.waitFor(() => c.text.includes('echo:ping'), 2000, 'echo');
    got.socket!.destroy();
  });
});

test('upgrade head arriving byte by byte, accepted after an await', async () => {
  const got = { head: null as Buffer | null, scope: null as Seen | null, socket: null as Socket | null };
  const app: App = async (_scope, _receive, send) => {
    await sleep(20);
    await send({ type: 'websocket.accept' });
  };
  await withServer(app, { onUpgrade: echoHook(got) }, async ({ connect }) => {
    const c = await connect();
    await c.write(UPGRADE_HEAD, { split: 1, gap: 0 });
    await c.write('after');
    await c.waitFor(() => c.text.includes('echo:'), 2000, 'echo');
    await c.waitFor(() => c.text.replace(/echo:/g, '').includes('after'), 2000, 'all bytes echoed');
    assert.is(got.scope!.path, '/chat');
    assert.is(got.scope!.type, 'websocket');
    got.socket!.destroy();
  });
});

test('upgrade behind a pipelined request: the earlier response goes out first, then the hook takes over', async () => {
  const got = { head: null as Buffer | null, scope: null as Seen | null, socket: null as Socket | null };
  const app: App = async (scope, _receive, send) => {
    if (scope.type === 'websocket') return send({ type: 'websocket.accept' });
    await sleep(30);
    respond(send, 200, TEXT, 'first');
  };
  await withServer(app, { onUpgrade: echoHook(got) }, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /plain HTTP/1.1\r\nHost: x\r\n\r\n' + UPGRADE_HEAD + 'X');
    await c.waitFor(() => c.text.includes('echo:X'), 2000, 'echo');
    const plain = c.text.indexOf('HTTP/1.1 200 OK');
    const switching = c.text.indexOf('HTTP/1.1 101');
    assert.ok(plain === 0 && switching > plain, JSON.stringify(c.text));
    got.socket!.destroy();
  });
});

test('without an onUpgrade hook the server completes the WebSocket handshake itself', async () => {
  const app: App = async (_scope, _receive, send) => send({ type: 'websocket.accept' });
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write(UPGRADE_HEAD);
    await c.waitFor(() => c.text.includes('\r\n\r\n'), 2000, 'the 101');
    assert.ok(c.text.startsWith('HTTP/1.1 101 Switching Protocols\r\n'), c.text);
    assert.ok(c.text.includes('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n'));
  });
});

test('issue 15: the ws library on the hook echoes 1000 messages, and a frame sent with the handshake arrives', async () => {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  const app: App = async (_scope, _receive, send) => send({ type: 'websocket.accept' });
  const onUpgrade: UpgradeHook = (scope, socket, head) => {
    const req = { method: scope.method, url: scope.rawPath, headers: Object.fromEntries(scope.headers) };
    wss.handleUpgrade(req as never, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  await withServer(app, { onUpgrade }, async ({ port, connect }) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/chat`);
    const got: string[] = [];
    client.on('message', (d) => got.push(d.toString()));
    await once(client, 'open');
    for (let i = 0; i < 1000; i++) client.send(`m${i}`);
    await until(() => got.length === 1000, 10_000, '1000 echoes');
    assert.equal(
      got,
      Array.from({ length: 1000 }, (_, i) => `m${i}`),
    );
    client.close();
    await once(client, 'close');
    // The handshake and a masked text frame ("early") in one write.
    const c = await connect();
    const frame = Buffer.from([0x81, 0x85, 1, 2, 3, 4, ...Buffer.from('early').map((b, i) => b ^ [1, 2, 3, 4][i & 3]!)]);
    await c.write(Buffer.concat([Buffer.from(UPGRADE_HEAD), frame]));
    await c.waitFor(() => c.text.includes('early'), 3000, 'the early frame echoed');
    assert.ok(c.text.startsWith('HTTP/1.1 101 Switching Protocols\r\n'));
  });
  wss.close();
});

test('the app can refuse an upgrade with a plain HTTP response (403); the hook is not called', async () => {
  let hookCalled = false;
  const app: App = async (scope, _receive, send) => {
    assert.is(scope.type, 'websocket');
    await send({ type: 'http.response.start', status: 403, headers: { 'content-type': 'text/plain' } });
    await send({ type: 'http.response.body', body: 'go away' });
  };
  await withServer(app, { onUpgrade: () => void (hookCalled = true) }, async ({ connect }) => {
    const c = await connect();
    await c.write(UPGRADE_HEAD + 'FRAME' + 'GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 403);
    assert.is(res[0].body, 'go away');
    assert.is(res[0].headers.connection, 'close');
    assert.not.ok(hookCalled);
  });
});

test('fast-path refusal (respond(send, 403, ...)) works the same', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 403, TEXT, 'nope');
  await withServer(app, { onUpgrade: () => assert.unreachable('hook') }, async ({ connect }) => {
    const c = await connect();
    await c.write(UPGRADE_HEAD);
    await c.waitEnded();
    assert.is(c.responses()[0].status, 403);
  });
});

test('a client that resets while the app decides on an upgrade: the app sees http.disconnect', async () => {
  const gone = deferred<string>();
  const app: App = async (_scope, receive) => {
    const m = await receive();
    if (m.type === 'http.request' && !m.moreBody) gone.resolve((await receive()).type);
    else gone.resolve(m.type);
  };
  await withServer(app, { onUpgrade: () => {} }, async ({ connect, server }) => {
    const c = await connect();
    await c.write(UPGRADE_HEAD);
    await sleep(30);
    c.socket.resetAndDestroy();
    assert.is(await Promise.race([gone.promise, sleep(2000).then(() => 'timeout')]), 'http.disconnect');
    await sleep(30);
    assert.is(server.connections, 0);
  });
});

test('bytes sent after the head while the app decides are all handed to the hook, and bounded', async () => {
  const got = { head: null as Buffer | null, scope: null as Seen | null, socket: null as Socket | null };
  const go = deferred();
  const app: App = async (_scope, _receive, send) => {
    await go.promise;
    await send({ type: 'websocket.accept' });
  };
  await withServer(app, { onUpgrade: echoHook(got) }, async ({ connect, accepted }) => {
    const c = await connect();
    await c.write(UPGRADE_HEAD + 'A');
    await sleep(20);
    await c.write('B');
    const flood = Buffer.alloc(4 * 1024 * 1024, 0x43);
    c.socket.write(flood);
    await sleep(200);
    assert.ok(accepted[0].socket.bytesRead < 1024 * 1024, `read ${accepted[0].socket.bytesRead} bytes before the app decided`);
    go.resolve();
    await c.waitFor(() => got.head !== null, 2000, 'the hook');
    assert.ok(got.head!.toString('latin1').startsWith('AB'), 'bytes from separate reads, in order');
    got.socket!.destroy();
  });
});

test('a plain request with Upgrade but no Connection: upgrade is ordinary HTTP', async () => {
  const types: string[] = [];
  const app: App = (scope, _receive, send) => {
    types.push(`${scope.type}/${scope.scheme}`);
    respond(send, 200, TEXT, 'plain');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].body, 'plain');
    assert.equal(types, ['http/http']);
  });
});

test.run();
