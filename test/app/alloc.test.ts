// Allocation checks for the app layer's per-request path (the technique of
// test/trust/alloc.test.ts: new-space bytes per call over a short loop after warm-up,
// best of several runs). Measured on Node 20.20 (x64): Router.find for a static route
// 0 bytes; TrustedHostMiddleware and HTTPSRedirectMiddleware (https) passing a request
// through 0 bytes; the whole Faster endpoint for `() => 'Hello, World!'`: the Request
// object only.
import v8 from 'node:v8';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Router } from '../../src/app/router.js';
import { Faster, HTTPSRedirectMiddleware, Request, TrustedHostMiddleware, type App, type Send } from '../../src/index.js';
import { makeScope } from '../trust/helpers.js';

function newSpaceUsed(): number {
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_used_size;
  return 0;
}

function bytesPerCall(fn: () => void, n = 2000): number {
  for (let i = 0; i < 100000; i++) fn();
  let best = Infinity;
  for (let run = 0; run < 9; run++) {
    const a = newSpaceUsed();
    for (let i = 0; i < n; i++) fn();
    const b = newSpaceUsed();
    const c = newSpaceUsed();
    const d = newSpaceUsed();
    const delta = b - a - (d - c);
    if (delta >= 0 && delta < best) best = delta;
  }
  return best / n;
}

test('Router.find allocates nothing for a static route (nor for a parameterised one)', () => {
  const r = new Router<number>();
  for (let i = 0; i < 50; i++) r.add('GET', `/static/route/${i}`, i);
  r.add('GET', '/', -1);
  r.add('GET', '/items/:id/edit', -2);
  let hits = 0;
  assert.ok(bytesPerCall(() => (hits += r.find('GET', '/static/route/42')!.handler)) < 1, 'static');
  assert.ok(bytesPerCall(() => (hits += r.find('GET', '/')!.handler)) < 1, 'root');
  assert.ok(bytesPerCall(() => (hits += r.find('GET', '/items/123/edit')!.handler)) < 1, 'parameterised: params are cut out only when read');
  assert.ok(hits !== 0);
});

test('TrustedHostMiddleware and HTTPSRedirectMiddleware pass a request through without allocating', () => {
  let passed = 0;
  const inner: App = () => {
    passed++;
  };
  const send = (() => undefined) as unknown as Send;
  const receive = () => Promise.resolve({ type: 'http.disconnect' as const });
  const host = new TrustedHostMiddleware(inner, { allowedHosts: ['127.0.0.1', 'api.example.com', '*.example.com'] });
  const exact = makeScope(['127.0.0.1', 4000], ['Host: api.example.com', 'User-Agent: bench']);
  const wildcard = makeScope(['127.0.0.1', 4000], ['Host: Eu.Example.com:8443', 'User-Agent: bench']);
  assert.ok(bytesPerCall(() => host.dispatch(exact, receive, send)) < 1, 'exact');
  assert.ok(bytesPerCall(() => host.dispatch(wildcard, receive, send)) < 1, 'wildcard with port');
  const https = new HTTPSRedirectMiddleware(inner);
  exact.scheme = 'https';
  assert.ok(bytesPerCall(() => https.dispatch(exact, receive, send)) < 1, 'https passes');
  assert.ok(passed > 0);
});

test('Faster endpoint: a static route returning a string allocates only the Request', () => {
  const app = new Faster();
  app.get('/api/items', () => 'Hello, World!'); // makeScope's request line: GET /api/items?x=1
  const asgi = app.asgi;
  const scope = makeScope(['127.0.0.1', 4000], ['Host: a']);
  let status = 0;
  const send = ((s: number) => {
    status = s;
  }) as unknown as Send;
  const receive = () => Promise.resolve({ type: 'http.disconnect' as const });
  void scope.path; // cached by the transport before the app runs in practice, too
  let keep: Request | null = null;
  const baseline = bytesPerCall(() => {
    keep = new Request(scope, receive, null);
  });
  assert.ok(keep !== null);
  const perCall = bytesPerCall(() => asgi(scope, receive, send));
  assert.is(status, 200);
  assert.ok(perCall <= baseline + 1, `${perCall} bytes per request, a Request is ${baseline}`);
});

test.run();
