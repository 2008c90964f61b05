// Hono: the same app on @hono/node-server and on fasterapi through the CLI's detection and
// default options, a few hundred raw requests each, answers compared (fixtures/fetch-diff.ts).
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import { serve } from '@hono/node-server';
import { assertLikeNative, commonCases, runNative, type NativeRun } from './fixtures/fetch-diff.js';
import { createHonoApp } from './fixtures/fetch-hono-app.js';
import { restoreGlobals } from '../fetch/listening.js';

const Hono = suite('Hono: fasterapi (CLI defaults) vs @hono/node-server');
const cases = commonCases();

Hono('same answers, byte for byte bar Date, field order and name case; same abort events', async () => {
  const events: string[] = [];
  const server = serve({ fetch: createHonoApp(events).fetch, port: 0, hostname: '127.0.0.1' });
  let native: NativeRun;
  try {
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    native = await runNative((server.address() as AddressInfo).port, cases, events);
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    });
    restoreGlobals();
  }
  const ourEvents: string[] = [];
  await assertLikeNative(createHonoApp(ourEvents), ourEvents, 'fetch (Hono)', cases, native);
});

Hono.run();
