// One real Hono app, one table of requests, run over real sockets on fasterapi/fetch and
// on @hono/node-server: the answers must be the same.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { serve as nodeServe } from '@hono/node-server';
import { getConnInfo as nodeConnInfo } from '@hono/node-server/conninfo';
import { serveListening } from './listening.js';
import { parseResponses, rawRequest, sleep } from '../helpers/raw.js';

const Parity = suite('serve: the same Hono app as on @hono/node-server');

/** What the app saw happen to requests the client abandoned, per adapter run. */
interface Events {
  aborted: string[];
}

function createApp(events: Events): Hono {
  const app = new Hono();
  // A middleware on every route: a header before the handler, one after it.
  app.use('*', async (c, next) => {
    c.header('x-before', 'yes');
    await next();
    c.res.headers.set('x-after', String(c.res.status));
  });
  app.get('/', (c) => c.text('Hello, World!'));
  app.get('/json', (c) => c.json({ message: 'Hello, World!' }));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), tab: c.req.query('tab') ?? null, agent: c.req.header('x-agent') ?? null }));
  app.get('/users/:id/posts/:post', (c) => c.text(`${c.req.param('id')}/${c.req.param('post')}`));
  app.post('/echo', async (c) => {
    const body = await c.req.json<Record<string, unknown>>();
    return c.json({ received: body, type: c.req.header('content-type') }, 201);
  });
  app.post('/count', async (c) => c.text(String((await c.req.arrayBuffer()).byteLength)));
  app.get('/stream', (c) =>
    stream(c, async (s) => {
      await s.write('one,');
      await s.sleep(5);
      await s.write('two,');
      await s.sleep(5);
      await s.write('three');
    }),
  );
  app.get('/forever', (c) =>
    stream(c, async (s) => {
      let aborted = false;
      s.onAbort(() => {
        aborted = true;
        events.aborted.push('stream');
      });
      while (!aborted) {
        await s.write('tick\n');
        await s.sleep(10);
      }
    }),
  );
  app.post('/slow-upload', async (c) => {
    try {
      await c.req.text();
      return c.text('complete');
    } catch {
      events.aborted.push('body');
      return c.text('aborted', 400);
    }
  });
  app.get('/ip', (c) => {
    const info = nodeConnInfo(c);
    return c.json({ address: info.remote.address, family: info.remote.addressType, port: typeof info.remote.port });
  });
  app.get('/error', () => {
    throw new Error('broken handler');
  });
  app.get('/redirect', (c) => c.redirect('/json', 301));
  app.get('/created', (c) => c.body(null, 204));
  app.get('/bytes', (c) => c.body(new Uint8Array([104, 105, 33]), 200, { 'content-type': 'application/octet-stream' }));
  app.onError((err, c) => c.json({ error: err.message }, 500));
  app.notFound((c) => c.json({ missing: c.req.path }, 404));
  return app;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * Header fields compared between adapters. Date and connection management differ by
 * nature; so does framing where both are right: node:http frames an empty body set by
 * writeHead() + end() as chunked, this transport with `content-length: 0`. Framing of
 * the bodies that matter is asserted on its own below.
 */
const COMPARED = ['content-type', 'location', 'x-before', 'x-after'];

function pick(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of COMPARED) if (headers[k] !== undefined) out[k] = headers[k].replace(/;\s+/g, ';').toLowerCase();
  return out;
}

const CHUNKED_POST =
  'POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
  '6\r\n{"name\r\n' +
  '9\r\n":"hono",\r\n' +
  '9\r\n"n":[1,2]\r\n' +
  '1\r\n}\r\n' +
  '0\r\n\r\n';

/** The table: each entry yields the answer to one request. */
const TABLE: [string, (port: number) => Promise<Answer>][] = [
  ['GET / (text)', (p) => get(p, '/')],
  ['GET /json', (p) => get(p, '/json')],
  ['GET /users/:id with query and header', (p) => get(p, '/users/42?tab=posts', { 'x-agent': 'uvu' })],
  ['GET two path params, percent-encoded', (p) => get(p, '/users/a%20b/posts/7')],
  ['POST JSON in and out', (p) => send(p, 'POST', '/echo', JSON.stringify({ a: 1, b: ['x'] }), { 'content-type': 'application/json' })],
  ['POST chunked body, split across reads', (p) => raw(p, CHUNKED_POST, 7)],
  ['POST 200 KB body', (p) => send(p, 'POST', '/count', 'x'.repeat(200_000), { 'content-type': 'text/plain' })],
  ['GET streamed response', (p) => get(p, '/stream')],
  ['GET handler throws → app.onError', (p) => get(p, '/error')],
  ['GET unknown route → notFound', (p) => get(p, '/nowhere?x=1')],
  ['HEAD /json', (p) => raw(p, 'HEAD /json HTTP/1.1\r\nHost: test.local\r\nConnection: close\r\n\r\n', 0, true)],
  ['GET redirect', (p) => get(p, '/redirect')],
  ['GET 204 without body', (p) => get(p, '/created')],
  ['GET bytes body', (p) => get(p, '/bytes')],
  ['GET client address via getConnInfo', (p) => get(p, '/ip')],
];

async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return send(port, 'GET', path, undefined, headers);
}

async function send(port: number, method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, body, headers, redirect: 'manual', signal: AbortSignal.timeout(3000) });
  const h: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    h[k] = v;
  });
  return { status: res.status, body: await res.text(), headers: h };
}

async function raw(port: number, bytes: string, split: number, head = false): Promise<Answer> {
  const { data } = await rawRequest(port, bytes, { split: split || undefined, gap: 2, timeout: 3000 });
  if (head) {
    // No body follows a HEAD response whatever its fields say.
    const end = data.indexOf('\r\n\r\n');
    const [r] = parseResponses(data.slice(0, end + 4).replace(/content-length: *\d+\r\n/i, ''));
    return { status: r.status, body: data.slice(end + 4), headers: { ...r.headers, ...pickLength(data.slice(0, end)) } };
  }
  const [r] = parseResponses(data);
  return { status: r.status, body: r.body, headers: r.headers };
}

function pickLength(head: string): Record<string, string> {
  const m = /\r\ncontent-length: *(\d+)/i.exec(head);
  return m === null ? {} : { 'content-length': m[1] };
}

async function runTable(port: number): Promise<Map<string, Answer>> {
  const out = new Map<string, Answer>();
  for (const [name, ask] of TABLE) out.set(name, await ask(port));
  return out;
}

/** Abandons a streamed response after its first bytes; abandons an upload mid-body. */
async function abandon(port: number, events: Events): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', reject);
    s.once('data', () => {
      s.destroy();
      resolve();
    });
    s.write('GET /forever HTTP/1.1\r\nHost: test.local\r\n\r\n');
  });
  await waitFor(() => events.aborted.includes('stream'), 'the stream to be aborted');
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', reject);
    s.write('POST /slow-upload HTTP/1.1\r\nHost: test.local\r\nContent-Length: 1000\r\n\r\n' + 'x'.repeat(300), () => {
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 50);
    });
  });
  await waitFor(() => events.aborted.includes('body'), 'the body read to fail');
}

async function waitFor(pred: () => boolean, what: string, timeout = 2000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Global Request/Response as the process started; @hono/node-server replaces them by default. */
const ORIGINAL = {
  Request: Object.getOwnPropertyDescriptor(globalThis, 'Request')!,
  Response: Object.getOwnPropertyDescriptor(globalThis, 'Response')!,
};
function restoreGlobals(): void {
  Object.defineProperty(globalThis, 'Request', ORIGINAL.Request);
  Object.defineProperty(globalThis, 'Response', ORIGINAL.Response);
}

async function onFasterapi(overrideGlobalObjects: boolean): Promise<{ answers: Map<string, Answer>; events: Events }> {
  const events: Events = { aborted: [] };
  const server = await serveListening({ fetch: createApp(events).fetch, port: 0, overrideGlobalObjects, logger: quiet });
  try {
    const port = server.address().port;
    const answers = await runTable(port);
    await abandon(port, events);
    return { answers, events };
  } finally {
    await server.close();
    restoreGlobals();
  }
}

async function onNodeServer(overrideGlobalObjects: boolean): Promise<{ answers: Map<string, Answer>; events: Events }> {
  const events: Events = { aborted: [] };
  const server = nodeServe({ fetch: createApp(events).fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects });
  try {
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    const port = (server.address() as AddressInfo).port;
    const answers = await runTable(port);
    await abandon(port, events);
    return { answers, events };
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    restoreGlobals();
  }
}

const quiet = { error() {}, warn() {}, info() {} };

function compare(ours: Map<string, Answer>, theirs: Map<string, Answer>): void {
  for (const [name] of TABLE) {
    const a = ours.get(name)!;
    const b = theirs.get(name)!;
    assert.is(a.status, b.status, `${name}: status`);
    assert.is(a.body, b.body, `${name}: body`);
    assert.equal(pick(a.headers), pick(b.headers), `${name}: headers`);
  }
}

let nodeNative: Awaited<ReturnType<typeof onNodeServer>>;
let nodeOverride: Awaited<ReturnType<typeof onNodeServer>>;

Parity.before(async () => {
  nodeNative = await onNodeServer(false);
  nodeOverride = await onNodeServer(true);
});

Parity('the answers make sense on their own (checked on fasterapi)', async () => {
  const { answers } = await onFasterapi(false);
  const a = (n: string): Answer => answers.get(n)!;
  assert.is(a('GET /json').body, '{"message":"Hello, World!"}');
  assert.is(a('GET /json').headers['x-before'], 'yes');
  assert.is(a('GET /json').headers['x-after'], '200');
  assert.is(a('GET /json').headers['content-length'], '27');
  assert.is(a('GET redirect').headers['content-length'], '0');
  assert.is(a('GET /users/:id with query and header').body, '{"id":"42","tab":"posts","agent":"uvu"}');
  assert.is(a('GET two path params, percent-encoded').body, 'a b/7');
  assert.is(a('POST JSON in and out').status, 201);
  assert.is(a('POST JSON in and out').body, '{"received":{"a":1,"b":["x"]},"type":"application/json"}');
  assert.is(a('POST chunked body, split across reads').body, '{"received":{"name":"hono","n":[1,2]},"type":"application/json"}');
  assert.is(a('POST 200 KB body').body, '200000');
  assert.is(a('GET streamed response').body, 'one,two,three');
  assert.is(a('GET streamed response').headers['transfer-encoding'], 'chunked');
  assert.is(a('GET handler throws → app.onError').status, 500);
  assert.is(a('GET handler throws → app.onError').body, '{"error":"broken handler"}');
  assert.is(a('GET unknown route → notFound').status, 404);
  assert.is(a('GET unknown route → notFound').body, '{"missing":"/nowhere"}');
  assert.is(a('HEAD /json').status, 200);
  assert.is(a('HEAD /json').body, '');
  // No made-up `content-length: 0` for a HEAD answered without the GET body (as node:http).
  assert.is(a('HEAD /json').headers['content-length'], undefined);
  assert.is(a('HEAD /json').headers['content-type'], 'application/json');
  assert.is(a('GET redirect').status, 301);
  assert.is(a('GET redirect').headers.location, '/json');
  assert.is(a('GET 204 without body').status, 204);
  assert.is(a('GET bytes body').body, 'hi!');
  assert.equal(JSON.parse(a('GET client address via getConnInfo').body), { address: '127.0.0.1', family: 'IPv4', port: 'number' });
});

Parity('same answers as @hono/node-server, native Request/Response on both', async () => {
  const ours = await onFasterapi(false);
  compare(ours.answers, nodeNative.answers);
  assert.equal(ours.events.aborted, nodeNative.events.aborted);
});

Parity('same answers as @hono/node-server, lightweight globals on both (overrideGlobalObjects)', async () => {
  const ours = await onFasterapi(true);
  compare(ours.answers, nodeOverride.answers);
  assert.equal(ours.events.aborted, nodeOverride.events.aborted);
});

Parity('client aborts: the streamed response is cancelled, the body read fails', async () => {
  const ours = await onFasterapi(false);
  assert.equal(ours.events.aborted, ['stream', 'body']);
});

Parity.run();
