// Elysia: the same app on @elysiajs/node and on fasterapi through the CLI's detection and
// default options, a few hundred raw requests each, answers compared (fixtures/fetch-diff.ts).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { node } from '@elysiajs/node';
import { abandon, answers, assertSame, commonCases, exchange, normalise, onFasterapi, request, type Rules } from './fixtures/fetch-diff.js';
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
  const nativeEvents: string[] = [];
  const app = createElysiaApp(nativeEvents, node());
  let theirs: string[];
  let theirAborts: string[];
  type Info = { raw: { ready(): Promise<unknown>; url: string; close(force?: boolean): Promise<void> } };
  const info = await new Promise<Info>((resolve) => app.listen({ port: 0, hostname: '127.0.0.1' }, (i) => resolve(i as unknown as Info)));
  const raw = info.raw;
  try {
    await raw.ready();
    const port = Number(new URL(raw.url).port);
    theirs = await answers(port, cases, wholeBodies);
    theirAborts = await abandon(port, nativeEvents);
  } finally {
    await raw.close(true);
    restoreGlobals();
  }
  const ourEvents: string[] = [];
  const ours = await onFasterapi(createElysiaApp(ourEvents));
  try {
    assert.is(ours.kind, 'fetch (Elysia)');
    assertSame(cases, await answers(ours.port, cases, wholeBodies), theirs);
    assert.equal(await abandon(ours.port, ourEvents), theirAborts);
    assert.equal(theirAborts, ['stream aborted', 'upload aborted']);
  } finally {
    await ours.close();
    restoreGlobals();
  }
});

Elysia("server.requestIP() answers the trust stage's client (@elysiajs/node's throws: not compared)", async () => {
  const ours = await onFasterapi(createElysiaApp([]));
  try {
    const direct = normalise(await exchange(ours.port, { name: 'ip', bytes: request('GET', '/ip') }));
    assert.match(direct, /\n\n\{"ip":"127\.0\.0\.1"\}$/);
    const proxied = normalise(await exchange(ours.port, { name: 'ip', bytes: request('GET', '/ip', { 'X-Forwarded-For': '203.0.113.9' }) }));
    assert.match(proxied, /\n\n\{"ip":"203\.0\.113\.9"\}$/);
  } finally {
    await ours.close();
    restoreGlobals();
  }
});

Elysia.run();
