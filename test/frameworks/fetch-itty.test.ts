// itty-router: the same router on @whatwg-node/server (node:http) and on fasterapi through
// the CLI's detection and default options, a few hundred raw requests each, answers
// compared (fixtures/fetch-diff.ts). The router is a Proxy that answers every property:
// the CLI once took it for a Faster app and every request hung.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import { createServerAdapter } from '@whatwg-node/server';
import { assertLikeNative, commonCases, runNative, type NativeRun, type Rules } from './fixtures/fetch-diff.js';
import { createIttyApp } from './fixtures/fetch-itty-app.js';

const Itty = suite('itty-router: fasterapi (CLI defaults) vs @whatwg-node/server');
const cases = commonCases();
/**
 * Where @whatwg-node/server and this transport frame the same answer differently, both
 * right, ours kept on purpose: it streams every body (chunked), even one it holds whole,
 * where this transport sends such a body in one write with its Content-Length; so for a
 * HEAD it never knows the length, where this transport sends the length of the body the
 * Response holds (RFC 9110 §9.3.2 allows it). The streamed routes are compared as sent.
 */
const framing = (c: { name: string }): Rules => ({ chunkedAsLength: !c.name.includes('/stream'), dropLength: c.name.startsWith('HEAD') });

Itty('same answers, byte for byte bar Date, field order and name case; same abort events', async () => {
  const events: string[] = [];
  const server = http.createServer(createServerAdapter(createIttyApp(events).fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let native: NativeRun;
  try {
    native = await runNative((server.address() as AddressInfo).port, cases, events, framing);
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
  const ourEvents: string[] = [];
  await assertLikeNative(createIttyApp(ourEvents), ourEvents, 'fetch (itty-router)', cases, native, framing);
});

Itty.run();
