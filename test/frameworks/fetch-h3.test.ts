// h3: the same app on srvx (h3's own serve()) and on fasterapi through the CLI's detection
// and default options, a few hundred raw requests each, answers compared (fixtures/fetch-diff.ts).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { serve } from 'srvx';
import { abandon, answers, assertSame, commonCases, exchange, normalise, onFasterapi, request } from './fixtures/fetch-diff.js';
import { createH3App } from './fixtures/fetch-h3-app.js';
import { restoreGlobals } from '../fetch/listening.js';

const H3 = suite('h3: fasterapi (CLI defaults) vs srvx');
const cases = commonCases();

H3('same answers, byte for byte bar Date, field order and name case; same abort events', async () => {
  const nativeEvents: string[] = [];
  const server = serve({ fetch: createH3App(nativeEvents).fetch, port: 0, hostname: '127.0.0.1', silent: true });
  let theirs: string[];
  let theirAborts: string[];
  try {
    await server.ready();
    const port = Number(new URL(server.url!).port);
    theirs = await answers(port, cases);
    theirAborts = await abandon(port, nativeEvents);
  } finally {
    await server.close(true);
    restoreGlobals();
  }
  const ourEvents: string[] = [];
  const ours = await onFasterapi(createH3App(ourEvents));
  try {
    assert.is(ours.kind, 'fetch (H3)');
    assertSame(cases, await answers(ours.port, cases), theirs);
    assert.equal(await abandon(ours.port, ourEvents), theirAborts);
    assert.equal(theirAborts, ['stream aborted', 'upload aborted']);
  } finally {
    await ours.close();
    restoreGlobals();
  }
});

H3("getRequestIP() answers the trust stage's client", async () => {
  const ours = await onFasterapi(createH3App([]));
  try {
    const direct = normalise(await exchange(ours.port, { name: 'ip', bytes: request('GET', '/ip') }));
    assert.match(direct, /\n\n\{"ip":"127\.0\.0\.1"\}$/);
    // 127.0.0.1 is a trusted proxy by default: the forwarded client is the one reported.
    const proxied = normalise(await exchange(ours.port, { name: 'ip', bytes: request('GET', '/ip', { 'X-Forwarded-For': '203.0.113.9' }) }));
    assert.match(proxied, /\n\n\{"ip":"203\.0\.113\.9"\}$/);
  } finally {
    await ours.close();
    restoreGlobals();
  }
});

H3.run();
