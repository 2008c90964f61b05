// Hono: the same app on @hono/node-server and on fasterapi through the CLI's detection and
// default options, a few hundred raw requests each, answers compared (fixtures/fetch-diff.ts).
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { serve } from '@hono/node-server';
import { abandon, answers, assertSame, commonCases, onFasterapi } from './fixtures/fetch-diff.js';
import { createHonoApp } from './fixtures/fetch-hono-app.js';
import { restoreGlobals } from '../fetch/listening.js';

const Hono = suite('Hono: fasterapi (CLI defaults) vs @hono/node-server');
const cases = commonCases();

Hono('same answers, byte for byte bar Date, field order and name case; same abort events', async () => {
  const nativeEvents: string[] = [];
  const server = serve({ fetch: createHonoApp(nativeEvents).fetch, port: 0, hostname: '127.0.0.1' });
  let theirs: string[];
  let theirAborts: string[];
  try {
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    const port = (server.address() as AddressInfo).port;
    theirs = await answers(port, cases);
    theirAborts = await abandon(port, nativeEvents);
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    });
    restoreGlobals();
  }
  const ourEvents: string[] = [];
  const ours = await onFasterapi(createHonoApp(ourEvents));
  try {
    assert.is(ours.kind, 'fetch (Hono)');
    const mine = await answers(ours.port, cases);
    assertSame(cases, mine, theirs);
    assert.equal(await abandon(ours.port, ourEvents), theirAborts);
    assert.equal(theirAborts, ['stream aborted', 'upload aborted']);
  } finally {
    await ours.close();
    restoreGlobals();
  }
});

Hono.run();
