// itty-router: the same router on @whatwg-node/server (node:http) and on fasterapi through
// the CLI's detection and default options, a few hundred raw requests each, answers
// compared (fixtures/fetch-diff.ts). The router is a Proxy that answers every property:
// the CLI once took it for a Faster app and every request hung.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServerAdapter } from '@whatwg-node/server';
import { abandon, answers, assertSame, commonCases, onFasterapi, type Rules } from './fixtures/fetch-diff.js';
import { createIttyApp } from './fixtures/fetch-itty-app.js';
import { restoreGlobals } from '../fetch/listening.js';

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
  const nativeEvents: string[] = [];
  const router = createIttyApp(nativeEvents);
  const server = http.createServer(createServerAdapter(router.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let theirs: string[];
  let theirAborts: string[];
  try {
    const port = (server.address() as AddressInfo).port;
    theirs = await answers(port, cases, framing);
    theirAborts = await abandon(port, nativeEvents);
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    restoreGlobals();
  }
  const ourEvents: string[] = [];
  const ours = await onFasterapi(createIttyApp(ourEvents));
  try {
    assert.is(ours.kind, 'fetch (itty-router)');
    assertSame(cases, await answers(ours.port, cases, framing), theirs);
    assert.equal(await abandon(ours.port, ourEvents), theirAborts);
    assert.equal(theirAborts, ['stream aborted', 'upload aborted']);
  } finally {
    await ours.close();
    restoreGlobals();
  }
});

Itty.run();
