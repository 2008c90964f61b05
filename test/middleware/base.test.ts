import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BaseHTTPMiddleware, Faster, type App, type Receive, type Request, type Scope, type Send } from '../../src/index.js';
import { composeMiddleware } from '../../src/middleware/base.js';
import { parseResponses } from '../helpers/raw.js';
import { exchange, get, serve } from '../app/serve.js';
import { respond } from '../../src/server/respond.js';

test('BaseHTTPMiddleware: constructed once with (next, options), dispatch per request, last added runs first', async () => {
  const order: string[] = [];
  let constructed = 0;
  class Tag extends BaseHTTPMiddleware {
    readonly tag: string;
    constructor(app: App, options: { tag: string }) {
      super(app);
      constructed++;
      this.tag = options.tag;
    }
    override dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
      if (scope.type === 'http') order.push(this.tag); // not the lifespan scope at start-up
      return this.app(scope, receive, send);
    }
  }
  const app = new Faster();
  app.get('/', () => {
    order.push('handler');
    return 'ok';
  });
  app.addMiddleware(Tag, { tag: 'inner' });
  app.addMiddleware(Tag, { tag: 'outer' });
  const running = await serve(app);
  try {
    const out = await exchange(running.port, 'GET / HTTP/1.1\r\nhost: x\r\n\r\nGET / HTTP/1.1\r\nhost: x\r\n\r\n');
    assert.is(parseResponses(out).length, 2);
    assert.is(constructed, 2);
    assert.equal(order, ['outer', 'inner', 'handler', 'outer', 'inner', 'handler']);
  } finally {
    await running.close();
  }
});

test('BaseHTTPMiddleware: the default dispatch passes through; this.app is the next app', () => {
  const inner: App = () => undefined;
  const m = new BaseHTTPMiddleware(inner);
  assert.is(m.app, inner);
});

test("BaseHTTPMiddleware: a middleware may replace the scope ({ ...scope, rootPath }, the seed's RootPathMiddleware)", async () => {
  class RootPathMiddleware extends BaseHTTPMiddleware {
    readonly rootPath: string;
    constructor(app: App, { rootPath = '' }: { rootPath?: string } = {}) {
      super(app);
      this.rootPath = rootPath;
    }
    override async dispatch(scope: Scope, receive: Receive, send: Send): Promise<void> {
      if (scope.type === 'http' || scope.type === 'websocket') scope = { ...scope, rootPath: this.rootPath };
      await this.app(scope, receive, send);
    }
  }
  const app = new Faster();
  app.get('/info/:id', (r: Request) => ({
    rootPath: r.scope.rootPath,
    path: r.scope.path,
    rawPath: r.scope.rawPath,
    query: r.scope.queryString,
    server: r.scope.server,
    id: r.pathParams.id,
    url: r.url.href,
    ua: r.headers.get('user-agent'),
    client: r.client?.[0],
  }));
  app.post('/echo', async (r: Request) => r.text());
  app.addMiddleware(RootPathMiddleware, { rootPath: '/api/v1' });
  const running = await serve(app);
  try {
    const res = await get(running.port, '/info/7?x=1', ['host: api.example.com', 'user-agent: t']);
    assert.equal(JSON.parse(res.body), {
      rootPath: '/api/v1',
      path: '/info/7',
      rawPath: '/info/7',
      query: 'x=1',
      server: ['api.example.com', 80],
      id: '7',
      url: 'http://api.example.com/api/v1/info/7?x=1',
      ua: 't',
      client: '127.0.0.1',
    });
    const echo = parseResponses(await exchange(running.port, 'POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\n\r\nbody'))[0];
    assert.is(echo.body, 'body', 'receive still works with the replaced scope');
  } finally {
    await running.close();
  }
});

test('BaseHTTPMiddleware: a middleware may answer itself, or wrap send', async () => {
  class Gate extends BaseHTTPMiddleware {
    override dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
      if (scope.headers.get('x-block') !== null) {
        respond(send, 403, null, 'blocked');
        return;
      }
      return this.app(scope, receive, send);
    }
  }
  class AddHeader extends BaseHTTPMiddleware {
    override async dispatch(scope: Scope, receive: Receive, send: Send): Promise<void> {
      await this.app(scope, receive, (async (m: unknown) => {
        const msg = m as { type: string; headers?: [string, string][] };
        if (msg.type === 'http.response.start') msg.headers = [...(msg.headers ?? []), ['x-extra', '1']];
        return send(msg as never);
      }) as Send);
    }
  }
  const app = new Faster();
  app.get('/', () => 'ok');
  app.get('/asgi', async (r: Request) => r.method); // string → fast path: AddHeader sees no start message
  app.addMiddleware(Gate);
  const running = await serve(app);
  try {
    assert.is((await get(running.port, '/', ['host: x', 'x-block: 1'])).status, 403);
    assert.is((await get(running.port, '/')).body, 'ok');
  } finally {
    await running.close();
  }
  // An ASGI app under a send-wrapping middleware.
  const asgi: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'wrapped' });
  };
  const chained = composeMiddleware(asgi, [{ cls: AddHeader, options: undefined }]);
  const r2 = await serve(chained);
  try {
    const res = await get(r2.port, '/');
    assert.is(res.headers['x-extra'], '1');
    assert.is(res.body, 'wrapped');
  } finally {
    await r2.close();
  }
});

test('BaseHTTPMiddleware: an error thrown in a middleware is a 500', async () => {
  class Broken extends BaseHTTPMiddleware {
    override dispatch(): void {
      throw new Error('broken middleware');
    }
  }
  const app = new Faster();
  app.get('/', () => 'ok');
  app.addMiddleware(Broken);
  const errors: string[] = [];
  const running = await serve(app, { logger: { error: (m: string) => errors.push(m), warn() {}, info() {} } });
  try {
    assert.is((await get(running.port, '/')).status, 500);
    assert.ok(errors.length >= 1);
  } finally {
    await running.close();
  }
});

test('composeMiddleware: a class without dispatch() is a start-up error', () => {
  class NotAMiddleware {}
  const app = new Faster();
  app.addMiddleware(NotAMiddleware as never);
  assert.throws(() => app.asgi, /has no dispatch/);
});

test('composeMiddleware: the chain is built once; the same function serves every request', () => {
  const app = new Faster();
  app.addMiddleware(BaseHTTPMiddleware);
  assert.is(app.asgi, app.asgi);
});

test.run();
