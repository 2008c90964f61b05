// diagnostics_channel: the three server events node:http publishes, with our req/res.
import dc from 'node:diagnostics_channel';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { keptTick } from '../../src/node/app.js';
import { createServer } from '../../src/node/index.js';
import { exchange, req } from './harness.js';

const Channels = suite('diagnostics_channel');

Channels('request.start, response.created and response.finish for every request, with the same req/res the listener got', async () => {
  const seen: { name: string; request: unknown; response: unknown; server?: unknown }[] = [];
  const subs: [string, (m: unknown) => void][] = ['http.server.request.start', 'http.server.response.created', 'http.server.response.finish'].map((name) => [
    name,
    (m: unknown) => seen.push({ name, ...(m as { request: unknown; response: unknown; server?: unknown }) }),
  ]);
  for (const [name, fn] of subs) dc.subscribe(name, fn);
  const got: [unknown, unknown][] = [];
  const server = createServer((rq, rs) => {
    got.push([rq, rs]);
    if (rq.url === '/later') setTimeout(() => rs.end('later'), 5);
    else rs.end('now');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const answers = await exchange(port, [req('GET', '/'), req('GET', '/later'), req('POST', '/', {}, 'body')]);
    assert.is(answers.length, 3);
    await new Promise((r) => setTimeout(r, 20)); // 'finish' is emitted on the next tick, as node:http does
  } finally {
    for (const [name, fn] of subs) dc.unsubscribe(name, fn);
    await new Promise((r) => server.close(r));
  }
  for (const name of ['http.server.request.start', 'http.server.response.created', 'http.server.response.finish']) {
    const mine = seen.filter((s) => s.name === name);
    assert.is(mine.length, 3, name);
    for (let i = 0; i < 3; i++) {
      assert.ok(mine[i].request === got[i][0], `${name} ${i}: request`);
      assert.ok(mine[i].response === got[i][1], `${name} ${i}: response`);
      assert.ok(mine[i].request instanceof http.IncomingMessage);
      if (name !== 'http.server.response.created') assert.ok(mine[i].server === server, `${name} ${i}: server`);
    }
  }
});

Channels('nothing is published when nobody subscribed', async () => {
  assert.not.ok(dc.channel('http.server.request.start').hasSubscribers);
  const server = createServer((_rq, rs) => rs.end('x'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const answers = await exchange((server.address() as AddressInfo).port, [req('GET', '/')]);
    assert.is(answers[0].body.toString(), 'x');
  } finally {
    await new Promise((r) => server.close(r));
  }
});

Channels('one process.nextTick object is kept alive (see keptTick in src/node/app.ts): Node still gives it to the init hook', () => {
  assert.ok(keptTick !== null, 'no TickObject reached the init hook');
  const t = keptTick as { callback?: unknown; [k: symbol]: unknown };
  assert.type(t.callback, 'function');
  const ids = Object.getOwnPropertySymbols(t).map((s) => s.description);
  assert.ok(ids.includes('async_id_symbol') && ids.includes('trigger_async_id_symbol'), `symbols: ${ids.join(', ')}`);
});

Channels.run();
