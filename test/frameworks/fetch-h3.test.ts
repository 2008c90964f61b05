// h3: the same app on srvx (h3's own serve()) and on fasterapi through the CLI's detection
// and default options, a few hundred raw requests each, answers compared (fixtures/fetch-diff.ts).
import { suite } from 'uvu';
import { serve } from 'srvx';
import { assertClientIP, assertLikeNative, commonCases, runNative, type NativeRun } from './fixtures/fetch-diff.js';
import { createH3App } from './fixtures/fetch-h3-app.js';
import { restoreGlobals } from '../fetch/listening.js';

const H3 = suite('h3: fasterapi (CLI defaults) vs srvx');
const cases = commonCases();

H3('same answers, byte for byte bar Date, field order and name case; same abort events', async () => {
  const events: string[] = [];
  const server = serve({ fetch: createH3App(events).fetch, port: 0, hostname: '127.0.0.1', silent: true });
  let native: NativeRun;
  try {
    await server.ready();
    native = await runNative(Number(new URL(server.url!).port), cases, events);
  } finally {
    await server.close(true);
    restoreGlobals();
  }
  const ourEvents: string[] = [];
  await assertLikeNative(createH3App(ourEvents), ourEvents, 'fetch (H3)', cases, native);
});

H3("getRequestIP() answers the trust stage's client", async () => {
  await assertClientIP(createH3App([]));
});

H3.run();
