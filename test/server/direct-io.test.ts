// Reads and writes straight on the socket's handle (src/server/native-io.ts): used on the
// keep-alive path, and correct where they have to give way to net.Socket: a write the
// kernel takes only in part, the writes queued behind it, the client leaving meanwhile,
// and a process where the private API is switched off (FASTERAPI_NO_ONREAD=1).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { connectPaused, parseResponses, queuedBytes, sleep, until, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
// Larger than loopback's socket buffers on both sides (a few MiB each): the kernel
// takes only part of it until the client reads.
const BIG = Buffer.alloc(24 * 1024 * 1024, 0x62);

const app: App = (scope, _receive, send) => {
  if (scope.path === '/big') respond(send, 200, TEXT, BIG);
  else respond(send, 200, TEXT, scope.path);
};

/** Collects what the client receives from now on (and resumes it). */
function collect(s: net.Socket): { parts: Buffer[]; bytes: number; endsWith(x: string): boolean; text(): string } {
  const c = {
    parts: [] as Buffer[],
    bytes: 0,
    endsWith(x: string): boolean {
      const last = c.parts[c.parts.length - 1];
      return last?.toString('latin1').endsWith(x);
    },
    text(): string {
      return Buffer.concat(c.parts).toString('latin1');
    },
  };
  s.on('data', (d: Buffer) => {
    c.parts.push(d);
    c.bytes += d.length;
  });
  s.resume();
  return c;
}

test('keep-alive responses go straight to the handle: socket.write() is never called', async () => {
  await withServer(app, {}, async ({ connect, accepted }) => {
    const c = await connect();
    let socketWrites = 0;
    const socket = accepted[0]!.socket;
    const write = socket.write;
    socket.write = function (this: net.Socket, ...a: unknown[]): boolean {
      socketWrites++;
      return (write as (...x: unknown[]) => boolean).apply(this, a);
    } as typeof socket.write;
    for (let i = 0; i < 20; i++) {
      await c.write(`GET /r${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const [r] = await c.waitResponses(i + 1).then((all) => all.slice(i));
      assert.is(r!.body, `/r${i}`);
    }
    assert.is(socketWrites, 0, 'no response went through net.Socket');
    assert.is(accepted[0]!.writes, 20, 'one handle write per response');
  });
});

test('a response the kernel takes only in part: the ones behind it wait their turn, bytes in order', async () => {
  await withServer(app, {}, async ({ port, accepted }) => {
    const s = await connectPaused(port);
    try {
      let batch = 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n';
      for (let i = 0; i < 20; i++) batch += `GET /s${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
      s.write(batch);
      await until(() => accepted.length === 1 && queuedBytes(accepted[0]!.socket) > 0, 2000, 'the big response to be queued');
      await sleep(100);
      const got = collect(s);
      await until(() => got.bytes > BIG.length && got.endsWith('/s19'), 20_000, 'every response');
      const text = got.text();
      const res = parseResponses(text);
      assert.is(res.length, 21, `responses: ${res.length}`);
      assert.is(res[0]!.body.length, BIG.length);
      assert.ok(res[0]!.body === BIG.toString('latin1'), 'big body intact');
      assert.equal(
        res.slice(1).map((r) => r.body),
        Array.from({ length: 20 }, (_, i) => `/s${i}`),
      );
    } finally {
      s.destroy();
    }
  });
});

test('a connection blocked by a partly written response reads on once the client catches up', async () => {
  await withServer(app, {}, async ({ port, server }) => {
    const s = await connectPaused(port);
    try {
      s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      await until(() => [...server.core.connections].some((c) => c.writeBlocked), 2000, 'the connection to block on writing');
      // Sent while blocked: read only after the big response is out. With nothing but
      // the handle's own queue in the way, net.Socket never emits 'drain' here.
      s.write('GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
      const got = collect(s);
      await until(() => got.bytes > BIG.length && got.endsWith('/after'), 20_000, 'the request sent while blocked to be answered');
      const res = parseResponses(got.text());
      assert.is(res.length, 2);
      assert.is(res[1]!.body, '/after');
    } finally {
      s.destroy();
    }
  });
});

test('the client resets while a direct write is queued: the connection goes, the server serves on', async () => {
  await withServer(app, {}, async ({ port, server, raw }) => {
    const s = await connectPaused(port);
    s.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => [...server.core.connections].some((c) => c.writeBlocked), 2000, 'the big response to be queued');
    s.resetAndDestroy();
    await until(() => server.core.connections.size === 0, 2000, 'the connection to be forgotten');
    const { data } = await raw('GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.is(parseResponses(data)[0]?.body, '/next');
  });
});

test('FASTERAPI_NO_ONREAD=1: the same responses through net.Socket alone', async () => {
  const src = fileURLToPath(new URL('../../src/index.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { createServer, encodeHeaders, respond } from ${JSON.stringify(src)};
    const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
    const BIG = Buffer.alloc(${BIG.length}, 0x62);
    const server = createServer((scope, _r, send) => respond(send, 200, TEXT, scope.path === '/big' ? BIG : scope.path));
    await server.listen(0, '127.0.0.1');
    console.log('port=' + server.address().port);
  `,
    ],
    { env: { ...process.env, FASTERAPI_NO_ONREAD: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /port=(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const s = await connectPaused(port);
    let batch = 'GET /big HTTP/1.1\r\nHost: x\r\n\r\n';
    for (let i = 0; i < 20; i++) batch += `GET /s${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
    s.write(batch);
    await sleep(200);
    const got = collect(s);
    await until(() => got.bytes > BIG.length && got.endsWith('/s19'), 20_000, 'every response');
    s.destroy();
    const res = parseResponses(got.text());
    assert.is(res.length, 21);
    assert.is(res[0]!.body.length, BIG.length);
    assert.equal(
      res.slice(1).map((r) => r.body),
      Array.from({ length: 20 }, (_, i) => `/s${i}`),
    );
  } finally {
    child.kill();
  }
});

test.run();
