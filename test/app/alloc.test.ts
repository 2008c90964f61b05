// Allocation checks for the app layer's per-request path (the technique of
// test/trust/alloc.test.ts: new-space bytes per call over a short loop after warm-up,
// best of several runs). Measured on Node 20.20 (x64): Router.find for a static route
// 0 bytes; TrustedHostMiddleware and HTTPSRedirectMiddleware (https) passing a request
// through 0 bytes; the whole Faster endpoint for `() => 'Hello, World!'`: the Request
// object only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Router } from '../../src/app/router.js';
import { Faster, HTTPSRedirectMiddleware, Request, TrustedHostMiddleware, type App, type Send } from '../../src/index.js';
import { makeScope } from '../trust/helpers.js';
import { bytesPerCall as measure, transportSend } from '../helpers/alloc.js';

function bytesPerCall(fn: () => void): Promise<number> {
  return measure(fn, { n: 500, runs: 40, settleMs: 30 });
}

async function zero(label: string, fn: () => void): Promise<void> {
  const perCall = await bytesPerCall(fn);
  assert.ok(perCall < 1, `${label}: ${perCall} bytes per call`);
}

test('Router.find allocates nothing for a static route (nor for a parameterised one)', async () => {
  const r = new Router<number>();
  for (let i = 0; i < 50; i++) r.add('GET', `/static/route/${i}`, i);
  r.add('GET', '/', -1);
  r.add('GET', '/items/:id/edit', -2);
  let hits = 0;
  await zero('static', () => (hits += r.find('GET', '/static/route/42')!.handler));
  await zero('root', () => (hits += r.find('GET', '/')!.handler));
  await zero('parameterised: params are cut out only when read', () => (hits += r.find('GET', '/items/123/edit')!.handler));
  assert.ok(hits !== 0);
});

test('TrustedHostMiddleware and HTTPSRedirectMiddleware pass a request through without allocating', async () => {
  let passed = 0;
  const inner: App = () => {
    passed++;
  };
  const send = (() => undefined) as unknown as Send;
  const receive = () => Promise.resolve({ type: 'http.disconnect' as const });
  const host = new TrustedHostMiddleware(inner, { allowedHosts: ['127.0.0.1', 'api.example.com', '*.example.com'] });
  const exact = makeScope(['127.0.0.1', 4000], ['Host: api.example.com', 'User-Agent: bench']);
  const wildcard = makeScope(['127.0.0.1', 4000], ['Host: Eu.Example.com:8443', 'User-Agent: bench']);
  await zero('exact', () => host.dispatch(exact, receive, send));
  await zero('wildcard with port', () => host.dispatch(wildcard, receive, send));
  const https = new HTTPSRedirectMiddleware(inner);
  exact.scheme = 'https';
  await zero('https passes', () => https.dispatch(exact, receive, send));
  assert.ok(passed > 0);
});

test('Faster endpoint: a static route returning a string allocates only the Request', async () => {
  const app = new Faster();
  app.get('/api/items', () => 'Hello, World!'); // makeScope's request line: GET /api/items?x=1
  const asgi = app.asgi;
  const scope = makeScope(['127.0.0.1', 4000], ['Host: a']);
  let status = 0;
  const send = transportSend((s) => {
    status = s;
  });
  const receive = () => Promise.resolve({ type: 'http.disconnect' as const });
  void scope.path; // cached by the transport before the app runs in practice, too
  let keep: Request | null = null;
  const baseline = await bytesPerCall(() => {
    keep = new Request(scope, receive, null);
  });
  assert.ok(keep !== null);
  const perCall = await bytesPerCall(() => asgi(scope, receive, send));
  assert.is(status, 200);
  assert.ok(perCall <= baseline + 1, `${perCall} bytes per request, a Request is ${baseline}`);
});

test.run();
