// serve(): the Server at once, listening started inside; options passed to the transport;
// the light globals installed unless turned off.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve, Response as FastResponse } from '../../src/fetch/index.js';
import { Server } from '../../src/server/server.js';
import { restoreGlobals, serveListening } from './listening.js';

const Serve = suite('serve');
const quiet = { error() {}, warn() {}, info() {} };

Serve('returns the Server synchronously; the listener gets the address; close() works', async () => {
  let info: AddressInfo | null = null;
  let server!: Server;
  await new Promise<void>((resolve) => {
    server = serve({ fetch: () => new Response('up'), port: 0, logger: quiet }, (a) => {
      info = a;
      resolve();
    });
    assert.ok(server instanceof Server, 'a Server, not a Promise');
  });
  try {
    const port = server.address().port;
    assert.equal(info, server.address());
    assert.is(server.address().address, '127.0.0.1');
    const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    assert.is(await r.text(), 'up');
  } finally {
    await server.close();
    restoreGlobals();
  }
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(server.address()?.port ?? (info as unknown as AddressInfo).port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  assert.is(refused, 'ECONNREFUSED');
});

Serve('a port already in use is not silent: the error reaches the process (uncaught) or the server', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  const seen: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    seen.push(err);
  };
  process.prependListener('uncaughtException', onUncaught);
  // uvu's own handler must not see this one: take the listeners off while it fires.
  const others = process.listeners('uncaughtException').filter((l) => l !== onUncaught);
  for (const l of others) process.removeListener('uncaughtException', l);
  try {
    const server = serve({ fetch: () => new Response('x'), port, logger: quiet });
    const emitter = server as unknown as { on?: (e: string, f: (err: unknown) => void) => void };
    emitter.on?.('error', (err) => seen.push(err));
    const t0 = Date.now();
    while (seen.length === 0 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    assert.is(seen.length, 1);
    assert.is((seen[0] as NodeJS.ErrnoException).code, 'EADDRINUSE');
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    for (const l of others) process.on('uncaughtException', l);
    blocker.close();
    restoreGlobals();
  }
});

Serve('transport options pass through (maxBodySize → 413)', async () => {
  const server = await serveListening({ fetch: async (req) => new Response(await req.text()), port: 0, hostname: '127.0.0.1', maxBodySize: 10, logger: quiet });
  try {
    const port = server.address().port;
    const ok = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'small', signal: AbortSignal.timeout(2000) });
    assert.is(await ok.text(), 'small');
    const big = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(100), signal: AbortSignal.timeout(2000) });
    assert.is(big.status, 413);
  } finally {
    await server.close();
    restoreGlobals();
  }
});

Serve('body limits: no transport cap by default; buffered reads capped (maxBufferedBodySize → 413), streamed reads not', async () => {
  const server = await serveListening({
    fetch: async (req) => {
      if (new URL(req.url).pathname === '/stream') {
        let n = 0;
        for await (const chunk of req.body!) n += chunk.length;
        return new Response(String(n));
      }
      try {
        return new Response(String((await req.arrayBuffer()).byteLength));
      } catch {
        // An app that answers the error itself: the request is still answered 413.
        return new Response('caught', { status: 500 });
      }
    },
    port: 0,
    maxBufferedBodySize: 1024 * 1024,
    logger: quiet,
  });
  try {
    const port = server.address().port;
    const post = (path: string, size: number) => fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: new Uint8Array(size), signal: AbortSignal.timeout(5000) });
    const small = await post('/', 1024 * 1024);
    assert.is(await small.text(), String(1024 * 1024));
    const big = await post('/', 1024 * 1024 + 1);
    assert.is(big.status, 413);
    await big.arrayBuffer();
    const streamed = await post('/stream', 3 * 1024 * 1024);
    assert.is(await streamed.text(), String(3 * 1024 * 1024));
  } finally {
    await server.close();
    restoreGlobals();
  }
});

Serve('the light globals are installed by default; overrideGlobalObjects: false leaves them alone', async () => {
  const before = { Request: globalThis.Request, Response: globalThis.Response };
  const a = await serveListening({ fetch: () => new Response('a'), port: 0, overrideGlobalObjects: false, logger: quiet });
  await a.close();
  assert.ok(globalThis.Response === before.Response && globalThis.Request === before.Request);
  const b = await serveListening({ fetch: () => new Response('b'), port: 0, logger: quiet });
  try {
    assert.ok(globalThis.Response === FastResponse);
    assert.ok(globalThis.Request !== before.Request);
    const r = await fetch(`http://127.0.0.1:${b.address().port}/`, { signal: AbortSignal.timeout(2000) });
    assert.is(await r.text(), 'b');
    assert.ok(new before.Response('x') instanceof Response, 'real Responses still pass instanceof Response');
  } finally {
    await b.close();
    restoreGlobals();
  }
});

Serve.run();
