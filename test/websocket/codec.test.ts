// Our frame codec (websocket/frame-socket.ts: no permessage-deflate negotiated): real `ws`
// clients with compression off, and raw frames split and batched as TCP may deliver them.
import { once } from 'node:events';
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { App, WebSocketEvent, WebSocketReceive } from '../../src/types.js';
import { sleep, until, withServer } from '../helpers/raw.js';
import { HANDSHAKE, echoApp, frame, open, serverFrames } from './client.js';

const PLAIN = { perMessageDeflate: false } as const;

/** A raw websocket after its 101; `frames()` parses what the server sent since (any length form). */
async function raw(port: number): Promise<{ s: net.Socket; frames: () => [number, Buffer][] }> {
  const s = net.connect(port, '127.0.0.1');
  s.setNoDelay(true);
  await once(s, 'connect');
  const chunks: Buffer[] = [];
  s.on('data', (d) => chunks.push(d));
  s.write(HANDSHAKE());
  await until(() => Buffer.concat(chunks).includes('\r\n\r\n'), 2000, 'the 101');
  return { s, frames: () => serverFrames(Buffer.concat(chunks)) };
}

test('without deflate: 1000 text messages in order, the 101 offers no extension, close codes both ways', async () => {
  let disconnect: WebSocketEvent | null = null;
  const app: App = async (_scope, r, send) => {
    const receive = r as unknown as WebSocketReceive;
    await receive();
    await send({ type: 'websocket.accept' });
    for (;;) {
      const m = await receive();
      if (m.type === 'websocket.disconnect') {
        disconnect = m;
        return;
      }
      if (m.type === 'websocket.receive' && m.text === 'close me') await send({ type: 'websocket.close', code: 4003, reason: 'asked' });
      else if (m.type === 'websocket.receive') await send({ type: 'websocket.send', text: m.text });
    }
  };
  await withServer(app, {}, async ({ port }) => {
    const c = await open(`ws://127.0.0.1:${port}/`, undefined, PLAIN);
    assert.is(c.ws.extensions, '');
    for (let i = 0; i < 1000; i++) c.ws.send(`m${i} é ${'x'.repeat(i % 200)}`);
    await until(() => c.messages.length === 1000, 10_000, '1000 echoes');
    assert.equal(
      c.messages,
      Array.from({ length: 1000 }, (_, i) => `m${i} é ${'x'.repeat(i % 200)}`),
    );
    c.ws.close(4001, 'bye');
    assert.is((await c.closed).code, 4001); // the server echoes the code
    await until(() => disconnect !== null, 2000, 'websocket.disconnect');
    assert.equal(disconnect, { type: 'websocket.disconnect', code: 4001, reason: 'bye' });

    const d = await open(`ws://127.0.0.1:${port}/`, undefined, PLAIN);
    d.ws.send('close me');
    assert.equal(await d.closed, { code: 4003, reason: 'asked' });
  });
});

test('a 4 MiB binary message and a 70 000-byte one (64-bit and 16-bit lengths) intact, with and without deflate', async () => {
  await withServer(echoApp, { wsPingInterval: 0 }, async ({ port }) => {
    const big = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) & 0xff;
    for (const deflate of [false, true]) {
      const c = await open(`ws://127.0.0.1:${port}/`, undefined, { perMessageDeflate: deflate });
      assert.is(c.ws.extensions === '', !deflate);
      c.ws.send(big);
      c.ws.send(big.subarray(0, 70_000));
      await until(() => c.messages.length === 2, 10_000, 'the echoes');
      assert.ok(big.equals(c.messages[0] as Buffer), `4 MiB, deflate ${deflate}`);
      assert.ok(big.subarray(0, 70_000).equals(c.messages[1] as Buffer), `70 000 bytes, deflate ${deflate}`);
      c.ws.close(1000);
      await c.closed;
    }
  });
});

test('many frames in one TCP packet are all answered, in order', async () => {
  await withServer(echoApp, { wsPingInterval: 0 }, async ({ port }) => {
    const { s, frames } = await raw(port);
    s.write(Buffer.concat(Array.from({ length: 200 }, (_, i) => frame(1, Buffer.from(`n${i}`)))));
    await until(() => frames().length === 200, 5000, '200 echoes');
    assert.equal(
      frames().map(([op, p]) => `${op}:${p}`),
      Array.from({ length: 200 }, (_, i) => `1:n${i}`),
    );
    s.destroy();
  });
});

test('a frame split across reads byte by byte, 16- and 64-bit length forms', async () => {
  await withServer(echoApp, { wsPingInterval: 0 }, async ({ port }) => {
    const { s, frames } = await raw(port);
    const payload = Buffer.from('é'.repeat(100)); // 200 bytes: a 16-bit length
    const long = frame(2, Buffer.alloc(300, 7));
    // The same 300 bytes with the 64-bit length form (allowed for any length by this server, as by ws).
    const head = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 0, 0x01, 0x2c]);
    const as64 = Buffer.concat([head, long.subarray(4)]);
    for (const bytes of [frame(1, payload), as64]) {
      for (const b of bytes) {
        s.write(Buffer.from([b]));
        await sleep(1);
      }
    }
    await until(() => frames().length === 2, 5000, 'both echoes');
    const [[op1, p1], [op2, p2]] = frames() as [[number, Buffer], [number, Buffer]];
    assert.is(op1, 1);
    assert.is(p1.toString(), payload.toString());
    assert.is(op2, 2);
    assert.ok(p2.equals(Buffer.alloc(300, 7)));
    s.destroy();
  });
});

test('a ping in the middle of a fragmented message is answered first; the message stays whole', async () => {
  await withServer(echoApp, { wsPingInterval: 0 }, async ({ port }) => {
    const { s, frames } = await raw(port);
    s.write(frame(1, Buffer.from('ab'), { fin: false }));
    await sleep(20);
    s.write(Buffer.concat([frame(9, Buffer.from('p1')), frame(0, Buffer.from('cd'), { fin: false })]));
    await sleep(20);
    s.write(frame(0, Buffer.from('ef')));
    await until(() => frames().length === 2, 3000, 'pong and echo');
    assert.equal(
      frames().map(([op, p]) => `${op}:${p}`),
      ['10:p1', '1:abcdef'],
    );
    s.destroy();
  });
});

test('bad continuations, a 1-byte close payload and a close code not for the wire close with 1002; a close reason not UTF-8 with 1007', async () => {
  const code = (n: number, reason: Buffer = Buffer.alloc(0)): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    return frame(8, Buffer.concat([b, reason]));
  };
  const cases: [string, Buffer, number][] = [
    ['continuation with no message begun', frame(0, Buffer.from('x')), 1002],
    ['a new message inside a fragmented one', Buffer.concat([frame(1, Buffer.from('a'), { fin: false }), frame(1, Buffer.from('b'))]), 1002],
    ['1-byte close payload', frame(8, Buffer.from([3])), 1002],
    ['close code 1005 on the wire', code(1005), 1002],
    ['close reason not UTF-8', code(1000, Buffer.from([0xc3, 0x28])), 1007],
  ];
  await withServer(echoApp, { wsPingInterval: 0 }, async ({ port }) => {
    for (const [what, bytes, expected] of cases) {
      const { s, frames } = await raw(port);
      const closed = once(s, 'close');
      s.write(bytes);
      await closed;
      const close = frames().find(([op]) => op === 8);
      assert.is(close?.[1].readUInt16BE(0), expected, what);
    }
  });
});

test('ping from the client gets its pong, the server pings at wsPingInterval, server.close() closes with 1001', async () => {
  await withServer(echoApp, { wsPingInterval: 200, wsPingTimeout: 2000 }, async ({ port, server }) => {
    const c = await open(`ws://127.0.0.1:${port}/`, undefined, PLAIN);
    const pong = once(c.ws, 'pong');
    c.ws.ping(Buffer.from('p1'));
    assert.is(((await pong)[0] as Buffer).toString(), 'p1');
    await once(c.ws, 'ping'); // ws answers it with a pong itself
    await sleep(500); // pongs keep it open past wsPingTimeout's check
    c.ws.send('still here');
    await until(() => c.messages.length === 1, 2000, 'the echo');
    const closing = server.close();
    assert.is((await c.closed).code, 1001);
    await closing;
  });
});

test.run();
