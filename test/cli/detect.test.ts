// adapt(): what kind of app an export is. The frameworks are the real ones; the fetch apps
// found are served over a real socket (itty-router's Proxy router used to be taken for a
// Faster app, and every request hung).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { Elysia } from 'elysia';
import { H3 } from 'h3';
import { AutoRouter, Router } from 'itty-router';
import express from 'express';
import Koa from 'koa';
import { adapt } from '../../src/cli/detect.js';
import { UsageError } from '../../src/cli/args.js';
import { createServer } from '../../src/create.js';
import { Faster } from '../../src/app/faster.js';
import type { App } from '../../src/types.js';
import { restoreGlobals } from '../fetch/listening.js';

const Detect = suite('adapt');
// polka ships no types.
type Polka = { get(path: string, h: (req: unknown, res: { end(s: string): void }) => void): Polka };
const polka = createRequire(import.meta.url)('polka') as () => Polka;
const quiet = { error() {}, warn() {}, info() {} };

async function answer(app: App, path: string): Promise<string> {
  const server = await createServer(app, { logger: quiet }).listen(0, '127.0.0.1');
  try {
    const r = await fetch(`http://127.0.0.1:${server.address().port}${path}`, { signal: AbortSignal.timeout(2000) });
    return `${r.status} ${await r.text()}`;
  } finally {
    await server.close();
  }
}

Detect('fetch-style apps: Hono, Elysia, h3, itty-router (a Proxy answering every name), each named', async () => {
  try {
    const hono = new Hono().get('/x', (c) => c.text('hono'));
    const elysia = new Elysia().get('/x', () => 'elysia');
    const h3 = new H3().get('/x', () => 'h3');
    const itty = AutoRouter().get('/x', () => 'itty');
    const plain = Router();
    plain.get('/x', () => new Response('itty plain'));
    for (const [app, kind, body] of [
      [hono, 'fetch (Hono)', 'hono'],
      [elysia, 'fetch (Elysia)', 'elysia'],
      [h3, 'fetch (H3)', 'h3'],
      [itty, 'fetch (itty-router)', '"itty"'], // AutoRouter formats as JSON
      [plain, 'fetch (itty-router)', 'itty plain'],
      [{ fetch: () => new Response('obj') }, 'fetch', 'obj'],
    ] as [unknown, string, string][]) {
      const d = await adapt(app, 'the app');
      assert.is(d.kind, kind);
      assert.is(await answer(d.app, '/x'), `200 ${body}`, kind);
    }
    // The Proxy also answers `asgi` with a function: that alone must not make it Faster.
    assert.is(typeof (itty as unknown as { asgi: unknown }).asgi, 'function');
  } finally {
    restoreGlobals();
  }
});

Detect('a Faster app: asgi as a real property; a Proxy that answers everything without fetch is not one', async () => {
  const app = new Faster();
  app.get('/x', () => 'faster');
  const d = await adapt(app, 'the app');
  assert.is(d.kind, 'faster');
  assert.is(await answer(d.app, '/x'), '200 faster');
  const anything = new Proxy({}, { get: (_t, p) => (p === 'then' ? undefined : () => undefined) });
  // It has a fetch too (it answers every name): served as a fetch app, never as Faster.
  assert.is((await adapt(anything, 'the proxy')).kind, 'fetch');
  const noFetch = new Proxy({}, { get: (_t, p) => (p === 'fetch' || p === 'then' ? undefined : () => undefined) });
  try {
    await adapt(noFetch, 'the proxy');
    assert.unreachable('a Proxy without fetch is no app');
  } catch (err) {
    assert.instance(err, UsageError);
  }
});

Detect('ASGI functions: three parameters, or async; a bare two-parameter function is node:http-style', async () => {
  const three: App = async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [] });
  };
  assert.is((await adapt(three, 'f')).kind, 'asgi');
  const asyncTwo = async (_scope: unknown, _receive: unknown): Promise<void> => {};
  assert.is((await adapt(asyncTwo, 'f')).kind, 'asgi');
  assert.is((await adapt((_s: unknown) => {}, 'f', 'asgi')).kind, 'asgi');
});

const hasNodeLayer = existsSync(new URL('../../src/node/index.js', import.meta.url));

Detect(
  `node:http-style apps: Express, Koa, polka, (req, res) (${hasNodeLayer ? 'served by the node:http layer' : 'one clear error: no node:http layer in this build'})`,
  async () => {
    const ex = express();
    ex.get('/x', (_req, res) => {
      res.send('express');
    });
    const koa = new Koa();
    koa.use((ctx) => {
      ctx.body = 'koa';
    });
    const pol = polka().get('/x', (_req, res) => res.end('polka'));
    const bare = (_req: unknown, res: { end(s: string): void }): void => res.end('bare');
    for (const [app, name, body] of [
      [ex, 'Express', 'express'],
      [koa, 'Koa', 'koa'],
      [pol, 'polka', 'polka'],
      [bare, '(req, res)', 'bare'],
    ] as [unknown, string, string][]) {
      if (hasNodeLayer) {
        const d = await adapt(app, 'the app');
        assert.is(d.kind, `node (${name})`);
        assert.is(await answer(d.app, '/x'), `200 ${body}`);
      } else {
        try {
          await adapt(app, 'the app');
          assert.unreachable(name);
        } catch (err) {
          assert.instance(err, UsageError);
          assert.is((err as Error).message, `the app is a node:http-style app (${name}); this build of fasterapi has no node:http layer to serve it`);
        }
      }
    }
  },
);

Detect('--interface forces the kind, and says what is missing', async () => {
  const hono = new Hono();
  for (const [hint, re] of [
    ['faster', /is not a Faster app \(--interface faster\)/],
    ['node', /is not a node:http-style app \(--interface node\)/],
  ] as const) {
    const plain = { notAnApp: true };
    try {
      await adapt(plain, 'the export', hint);
      assert.unreachable(hint);
    } catch (err) {
      assert.match((err as Error).message, re);
    }
  }
  try {
    await adapt({}, 'the export', 'fetch');
    assert.unreachable('fetch');
  } catch (err) {
    assert.match((err as Error).message, /has no fetch\(\) method/);
  }
  try {
    assert.is((await adapt(hono, 'hono', 'fetch')).kind, 'fetch (Hono)');
  } finally {
    restoreGlobals();
  }
});

Detect.run();
