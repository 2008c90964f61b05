// Elysia: the same app on @elysiajs/node and on fasterapi through the CLI's detection and
// default options, a few hundred raw requests each, answers compared (fixtures/fetch-diff.ts).
import { suite } from 'uvu';
import { node } from '@elysiajs/node';
import { assertClientIP, assertLikeNative, commonCases, runNative, type NativeRun, type Rules } from './fixtures/fetch-diff.js';
import { createElysiaApp } from './fixtures/fetch-elysia-app.js';
import { restoreGlobals } from '../fetch/listening.js';

const Elysia = suite('Elysia: fasterapi (CLI defaults) vs @elysiajs/node');
const cases = commonCases();
/**
 * Where @elysiajs/node (srvx 0.11) answers chunked and this transport with a Content-Length:
 * srvx 0.11 streams the body of every platform Response, even a string (Elysia's 404 and
 * error answers); this transport sends a body it holds whole in one write with its length,
 * on purpose. Only those answers are read as equal; the streamed routes are compared as sent.
 */
const wholeBodies = (c: { name: string }): Rules => ({ chunkedAsLength: !c.name.includes('/stream') });

Elysia('same answers, byte for byte bar Date, field order and name case; same abort events', async () => {
  const events: string[] = [];
  const app = createElysiaApp(events, node());
  type Info = { raw: { ready(): Promise<unknown>; url: string; close(force?: boolean): Promise<void> } };
  const info = await new Promise<Info>((resolve) => app.listen({ port: 0, hostname: '127.0.0.1' }, (i) => resolve(i as unknown as Info)));
  let native: NativeRun;
  try {
    await info.raw.ready();
    native = await runNative(Number(new URL(info.raw.url).port), cases, events, wholeBodies);
  } finally {
    await info.raw.close(true);
    restoreGlobals();
  }
  const ourEvents: string[] = [];
  await assertLikeNative(createElysiaApp(ourEvents), ourEvents, 'fetch (Elysia)', cases, native, wholeBodies);
});

Elysia("server.requestIP() answers the trust stage's client (@elysiajs/node's throws: not compared)", async () => {
  await assertClientIP(createElysiaApp([]));
});

Elysia.run();
