// A middleware that wraps `send` (the most common ASGI middleware there is) sees every
// response as http.response.start + http.response.body: Faster routes, raw ASGI apps that
// answer with respond(), and fetch apps. Without the wrapper the same responses take the
// fast path, and the bytes on the wire are the same. This file is also the typed check:
// the wrappers below are written against the exported types and compile under `strict`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BaseHTTPMiddleware,
  encodeHeaders,
  Faster,
  HTTPException,
  Response,
  respond,
  TrustedHostMiddleware,
  type App,
  type Receive,
  type Scope,
  type Send,
  type SendMessage,
} from '../../src/index.js';
import { createFetchHandler } from '../../src/fetch/index.js';
import { parseResponses } from '../helpers/raw.js';
import { exchange, serve } from '../app/serve.js';

/** Adds `x-wrapped: yes` to every response start, as a Starlette-style middleware would. */
class AddHeader extends BaseHTTPMiddleware {
  override async dispatch(scope: Scope, receive: Receive, send: Send): Promise<void> {
    const wrapped: Send = async (message: SendMessage) => {
      if (message.type === 'http.response.start') {
        const headers = [...((message.headers ?? []) as ReadonlyArray<readonly [string, string]>), ['x-wrapped', 'yes'] as const];
        message = { ...message, headers };
      }
      await send(message);
    };
    await this.app(scope, receive, wrapped);
  }
}

/** Wraps send and passes every message on unchanged: the message path, nothing else. */
class PassThroughSend extends BaseHTTPMiddleware {
  seen: string[] = [];
  override async dispatch(scope: Scope, receive: Receive, send: Send): Promise<void> {
    await this.app(scope, receive, async (message) => {
      if (scope.type === 'http') this.seen.push(message.type);
      await send(message);
    });
  }
}

function routes(app: Faster): Faster {
  app.get('/text', () => 'Hello, World!');
  app.get('/json', () => ({ message: 'Hello, World!' }));
  app.get('/bytes', () => Buffer.from('raw bytes'));
  app.get('/empty', () => undefined);
  app.get('/custom', () => new Response('made', { status: 201, headers: { 'x-custom': 'a', 'set-cookie': ['a=1', 'b=2'] }, contentType: 'text/plain' }));
  app.get('/teapot', () => {
    throw new HTTPException(418, 'short and stout');
  });
  app.get('/users/:id', (request) => ({ id: request.pathParams.id }));
  return app;
}

const REQUESTS = ['/text', '/json', '/bytes', '/empty', '/custom', '/teapot', '/users/7', '/missing'];
const batch = (paths: string[], method = 'GET'): string => paths.map((p) => `${method} ${p} HTTP/1.1\r\nhost: a.test\r\n\r\n`).join('');

test('Faster routes behind a send-wrapping middleware: the wrapper header, the body and its type all arrive', async () => {
  const app = routes(new Faster());
  app.addMiddleware(AddHeader);
  const running = await serve(app);
  try {
    const res = parseResponses(await exchange(running.port, batch(REQUESTS)));
    assert.is(res.length, REQUESTS.length);
    for (const r of res) assert.is(r.headers['x-wrapped'], 'yes', `${r.status} ${r.body}`);
    assert.is(res[0].body, 'Hello, World!');
    assert.is(res[0].headers['content-type'], 'text/plain; charset=utf-8');
    assert.is(res[1].body, '{"message":"Hello, World!"}');
    assert.is(res[1].headers['content-type'], 'application/json');
    assert.is(res[2].body, 'raw bytes');
    assert.is(res[3].status, 204);
    assert.is(res[4].status, 201);
    assert.is(res[4].headers['set-cookie'], 'a=1, b=2');
    assert.is(res[5].status, 418);
    assert.is(res[6].body, '{"id":"7"}');
    assert.is(res[7].status, 404);
  } finally {
    await running.close();
  }
});

test('the fast path and the message path put the same bytes on the wire (GET and HEAD, pipelined)', async () => {
  const plain = await serve(routes(new Faster()));
  const wrappedApp = routes(new Faster());
  let spy: PassThroughSend | null = null;
  class Spy extends PassThroughSend {
    constructor(next: App) {
      super(next);
      spy = this;
    }
  }
  wrappedApp.addMiddleware(Spy);
  const wrapped = await serve(wrappedApp);
  try {
    for (const method of ['GET', 'HEAD']) {
      const a = await exchange(plain.port, batch(REQUESTS, method));
      const b = await exchange(wrapped.port, batch(REQUESTS, method));
      assert.is(a.match(/HTTP\/1\.1 \d{3} /g)?.length, REQUESTS.length, `${method}: every response`);
      assert.is(b, a, `${method}: byte for byte (Date masked)`);
    }
    // the wrapper really saw messages, a start and a body per response
    const seen = (spy as PassThroughSend | null)?.seen ?? [];
    assert.is(seen.length, 2 * 2 * REQUESTS.length);
    assert.is(seen.filter((t) => t === 'http.response.start').length, 2 * REQUESTS.length);
  } finally {
    await plain.close();
    await wrapped.close();
  }
});

test('a raw ASGI app answering with respond(): fast without a wrapper, messages with one, same bytes', async () => {
  const HEAD = encodeHeaders({ 'content-type': 'text/plain', 'x-app': '1' });
  const inner: App = (scope, _receive, send) => respond(send, scope.path === '/gone' ? 410 : 200, HEAD, `path ${scope.path}`);
  const starts: number[] = [];
  const outer: App = (scope, receive, send) =>
    inner(scope, receive, async (message) => {
      if (message.type === 'http.response.start') starts.push(message.status);
      await send(message);
    });
  const a = await serve(inner);
  const b = await serve(outer);
  try {
    const req = batch(['/x', '/gone']);
    const fast = await exchange(a.port, req);
    assert.is(await exchange(b.port, req), fast);
    assert.equal(starts, [200, 410]);
    assert.ok(fast.includes('x-app: 1\r\n') && fast.includes('path /gone'));
  } finally {
    await a.close();
    await b.close();
  }
});

test('a fetch app behind a send-wrapping middleware gets the header added too, same body', async () => {
  const fetchApp = createFetchHandler((request: globalThis.Request) => {
    const url = new URL(request.url);
    if (url.pathname === '/stream') {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('one,'));
          c.enqueue(new TextEncoder().encode('two'));
          c.close();
        },
      });
      return new globalThis.Response(body, { headers: { 'content-type': 'text/plain' } });
    }
    return new globalThis.Response(JSON.stringify({ path: url.pathname }), { headers: { 'content-type': 'application/json' } });
  });
  const withHeader: App = (scope, receive, send) =>
    fetchApp(scope, receive, async (message) => {
      if (message.type === 'http.response.start') message = { ...message, headers: [...((message.headers ?? []) as [string, string][]), ['x-wrapped', 'yes']] };
      await send(message);
    });
  const plain = await serve(fetchApp);
  const running = await serve(withHeader);
  try {
    const res = parseResponses(await exchange(running.port, batch(['/a', '/stream'])));
    const base = parseResponses(await exchange(plain.port, batch(['/a', '/stream'])));
    assert.is(res.length, 2);
    for (let i = 0; i < 2; i++) {
      assert.is(res[i].headers['x-wrapped'], 'yes');
      assert.is(res[i].body, base[i].body);
      assert.is(res[i].headers['content-type'], base[i].headers['content-type']);
    }
    assert.is(res[0].body, '{"path":"/a"}');
    assert.is(res[1].body, 'one,two');
  } finally {
    await plain.close();
    await running.close();
  }
});

test("the built-in middlewares' own answers reach an outer send wrapper (TrustedHost refusal)", async () => {
  const app = routes(new Faster());
  app.addMiddleware(TrustedHostMiddleware, { allowedHosts: ['a.test'] });
  app.addMiddleware(AddHeader);
  const running = await serve(app);
  try {
    const [ok] = parseResponses(await exchange(running.port, batch(['/text'])));
    const [refused] = parseResponses(await exchange(running.port, 'GET /text HTTP/1.1\r\nhost: evil.test\r\n\r\n'));
    assert.is(ok.headers['x-wrapped'], 'yes');
    assert.is(refused.status, 400);
    assert.is(refused.headers['x-wrapped'], 'yes');
    assert.is(refused.body, 'Invalid host header');
  } finally {
    await running.close();
  }
});

test.run();
