// serve(): listening, options passed to the transport, globals left alone unless asked.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AddressInfo } from 'node:net';
import { serve, Response as FastResponse } from '../../src/fetch/index.js';

const Serve = suite('serve');
const quiet = { error() {}, warn() {}, info() {} };

Serve('resolves once listening, tells the listener the address, closes', async () => {
  let info: AddressInfo | null = null;
  const server = await serve({ fetch: () => new Response('up'), port: 0, logger: quiet }, (a) => (info = a));
  try {
    const port = server.address().port;
    assert.equal(info, server.address());
    assert.is(server.address().address, '127.0.0.1');
    const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    assert.is(await r.text(), 'up');
  } finally {
    await server.close();
  }
});

Serve('transport options pass through (maxBodySize → 413)', async () => {
  const server = await serve({ fetch: async (req) => new Response(await req.text()), port: 0, hostname: '127.0.0.1', maxBodySize: 10, logger: quiet });
  try {
    const port = server.address().port;
    const ok = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'small', signal: AbortSignal.timeout(2000) });
    assert.is(await ok.text(), 'small');
    const big = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(100), signal: AbortSignal.timeout(2000) });
    assert.is(big.status, 413);
  } finally {
    await server.close();
  }
});

Serve('no global is replaced by default; overrideGlobalObjects installs FastResponse', async () => {
  const before = { Request: globalThis.Request, Response: globalThis.Response };
  const a = await serve({ fetch: () => new Response('a'), port: 0, logger: quiet });
  await a.close();
  assert.ok(globalThis.Response === before.Response && globalThis.Request === before.Request);
  const b = await serve({ fetch: () => new Response('b'), port: 0, overrideGlobalObjects: true, logger: quiet });
  try {
    assert.ok(globalThis.Response === FastResponse);
    assert.ok(globalThis.Request !== before.Request);
    const r = await fetch(`http://127.0.0.1:${b.address().port}/`, { signal: AbortSignal.timeout(2000) });
    assert.is(await r.text(), 'b');
    assert.ok(new before.Response('x') instanceof Response, 'real Responses still pass instanceof Response');
  } finally {
    await b.close();
    Object.defineProperty(globalThis, 'Request', { value: before.Request, writable: true, configurable: true });
    Object.defineProperty(globalThis, 'Response', { value: before.Response, writable: true, configurable: true });
  }
});

Serve.run();
