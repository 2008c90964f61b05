import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Faster, HTTPSRedirectMiddleware, type HTTPSRedirectOptions, type ListenOptions, type Request } from '../../src/index.js';
import { parseResponses } from '../helpers/raw.js';
import { exchange, response, serve, type Running } from '../app/serve.js';

async function withApp(options: HTTPSRedirectOptions, fn: (r: Running) => Promise<void>, serverOptions: ListenOptions = {}): Promise<void> {
  const app = new Faster();
  app.get('/', (r: Request) => ({ scheme: r.url.scheme }));
  app.get('/x', (r: Request) => ({ scheme: r.url.scheme }));
  app.addMiddleware(HTTPSRedirectMiddleware, options);
  const running = await serve(app, serverOptions);
  try {
    await fn(running);
  } finally {
    await running.close();
  }
}

async function send(port: number, target: string, headerLines: string, version = '1.1') {
  const r = parseResponses(await exchange(port, `GET ${target} HTTP/${version}\r\n${headerLines}\r\n`))[0];
  if (r === undefined) throw new Error('no response');
  return r;
}

test('HTTPSRedirectMiddleware: http → 307 https keeping path and query (exact bytes)', async () => {
  await withApp({}, async ({ port }) => {
    const out = await exchange(port, 'GET /a/b%20c?x=1&y=%2F HTTP/1.1\r\nhost: example.com\r\n\r\n');
    assert.is(out, response('307 Temporary Redirect', ['location: https://example.com/a/b%20c?x=1&y=%2F', 'content-length: 0']));
  });
});

test('HTTPSRedirectMiddleware: port 80 is dropped, other ports kept, 443 never written', async () => {
  await withApp({}, async ({ port }) => {
    const cases: [string, string][] = [
      ['example.com:80', 'https://example.com/x'],
      ['example.com:8080', 'https://example.com:8080/x'],
      ['example.com:443', 'https://example.com/x'],
      ['EXAMPLE.com.', 'https://example.com/x'],
      ['[::1]', 'https://[::1]/x'],
      ['[::1]:8000', 'https://[::1]:8000/x'],
      ['[2001:db8::1]:80', 'https://[2001:db8::1]/x'],
      ['127.0.0.1:8000', 'https://127.0.0.1:8000/x'],
    ];
    for (const [host, location] of cases) {
      const r = await send(port, '/x', `host: ${host}\r\n`);
      assert.is(r.status, 307, host);
      assert.is(r.headers.location, location, host);
    }
  });
});

test('HTTPSRedirectMiddleware: httpsPort option sets the port', async () => {
  await withApp({ httpsPort: 8443 }, async ({ port }) => {
    assert.is((await send(port, '/x', 'host: example.com:8080\r\n')).headers.location, 'https://example.com:8443/x');
    assert.is((await send(port, '/x', 'host: [::1]\r\n')).headers.location, 'https://[::1]:8443/x');
  });
  await withApp({ httpsPort: 443 }, async ({ port }) => {
    assert.is((await send(port, '/x', 'host: example.com:8080\r\n')).headers.location, 'https://example.com/x');
  });
  assert.throws(() => new HTTPSRedirectMiddleware(() => undefined, { httpsPort: 0 }), /httpsPort/);
  assert.throws(() => new HTTPSRedirectMiddleware(() => undefined, { httpsPort: 70000 }), /httpsPort/);
});

test('HTTPSRedirectMiddleware: the root path is kept, not doubled', async () => {
  await withApp(
    {},
    async ({ port }) => {
      assert.is((await send(port, '/x?q=1', 'host: example.com\r\n')).headers.location, 'https://example.com/api/v1/x?q=1');
      assert.is((await send(port, '/api/v1/x', 'host: example.com\r\n')).headers.location, 'https://example.com/api/v1/x');
    },
    { rootPath: '/api/v1' },
  );
  // A trusted proxy's X-Forwarded-Prefix is the root path too, when listed (a proxy that overwrites it).
  await withApp(
    {},
    async ({ port }) => {
      assert.is((await send(port, '/x', 'host: example.com\r\nx-forwarded-prefix: /api\r\n')).headers.location, 'https://example.com/api/x');
    },
    { forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-prefix' },
  );
  await withApp({}, async ({ port }) => {
    assert.is((await send(port, '/x', 'host: example.com\r\nx-forwarded-prefix: /api\r\n')).headers.location, 'https://example.com/x', 'not read by default');
  });
});

test('HTTPSRedirectMiddleware: a scheme of https resolved by the trust stage is not redirected', async () => {
  // Default: loopback peers are trusted proxies, so their X-Forwarded-Proto counts.
  await withApp({}, async ({ port }) => {
    const r = await send(port, '/x', 'host: example.com\r\nx-forwarded-proto: https\r\n');
    assert.is(r.status, 200);
    assert.is(r.body, '{"scheme":"https"}');
    const f = await send(port, '/x', 'host: example.com\r\nforwarded: for=192.0.2.1;proto=https\r\n');
    assert.is(f.status, 307, 'Forwarded is not read by default');
    const js = await send(port, '/x', 'host: example.com\r\nx-forwarded-proto: javascript\r\n');
    assert.is(js.status, 307, 'not a scheme');
  });
  // From a peer that is not trusted, the header is ignored: still redirected.
  await withApp(
    {},
    async ({ port }) => {
      const r = await send(port, '/x', 'host: example.com\r\nx-forwarded-proto: https\r\n');
      assert.is(r.status, 307);
      assert.is(r.headers.location, 'https://example.com/x');
    },
    { trustedProxies: '10.0.0.0/8' },
  );
  // --no-proxy-headers: never read.
  await withApp(
    {},
    async ({ port }) => {
      assert.is((await send(port, '/x', 'host: example.com\r\nx-forwarded-proto: https\r\n')).status, 307);
    },
    { proxyHeaders: false },
  );
});

test('HTTPSRedirectMiddleware: a trusted X-Forwarded-Host and -Port build the Location (when listed in forwardedHeaders)', async () => {
  await withApp(
    {},
    async ({ port }) => {
      const r = await send(port, '/x', 'host: backend:8000\r\nx-forwarded-host: api.example.com\r\n');
      assert.is(r.headers.location, 'https://api.example.com/x');
      const p = await send(port, '/x', 'host: backend:8000\r\nx-forwarded-host: api.example.com\r\nx-forwarded-port: 8443\r\n');
      assert.is(p.headers.location, 'https://api.example.com:8443/x');
    },
    { forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-port' },
  );
  await withApp({}, async ({ port }) => {
    const r = await send(port, '/x', 'host: backend:8000\r\nx-forwarded-host: api.example.com\r\n');
    assert.is(r.headers.location, 'https://backend:8000/x', 'off by default');
  });
});

test('HTTPSRedirectMiddleware: ws → wss for WebSocket upgrades', async () => {
  await withApp({}, async ({ port }) => {
    const out = parseResponses(
      await exchange(
        port,
        'GET /chat?room=1 HTTP/1.1\r\nhost: example.com:8080\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    )[0];
    assert.is(out.status, 307);
    assert.is(out.headers.location, 'wss://example.com:8080/chat?room=1');
  });
});

test('HTTPSRedirectMiddleware: a malformed host is 400, HTTP/1.0 without Host uses the listening address', async () => {
  await withApp({}, async ({ port }) => {
    // Hosts the transport's RFC 3986 check lets through, but not the DNS-name grammar.
    for (const host of ['a..b.com', 'evil.com!x', 'good.com,evil.com', "x'y.com"]) {
      const bad = await send(port, '/x', `host: ${host}\r\n`);
      assert.is(bad.status, 400, host);
      assert.is(bad.body, 'Invalid host header', host);
    }
    const old = await send(port, '/x', '', '1.0');
    assert.is(old.status, 307);
    assert.is(old.headers.location, `https://127.0.0.1:${port}/x`);
  });
});

test('HTTPSRedirectMiddleware: OPTIONS * is redirected to the origin with an empty path, never https://host*', async () => {
  const opts = async (port: number, host: string) => {
    const r = parseResponses(await exchange(port, `OPTIONS * HTTP/1.1\r\nhost: ${host}\r\n\r\n`))[0];
    if (r === undefined) throw new Error('no response');
    return r;
  };
  await withApp({}, async ({ port }) => {
    const r = await opts(port, 'example.com');
    assert.is(r.status, 307);
    assert.is(r.headers.location, 'https://example.com');
    assert.is((await opts(port, 'example.com:8080')).headers.location, 'https://example.com:8080');
    assert.is((await opts(port, '[::1]:8000')).headers.location, 'https://[::1]:8000');
    // A path that merely contains '*' is still a path.
    assert.is((await send(port, '/x*', 'host: example.com\r\n')).headers.location, 'https://example.com/x*');
  });
  // The root path belongs to paths; the server-wide target has none.
  await withApp(
    {},
    async ({ port }) => {
      assert.is((await opts(port, 'example.com')).headers.location, 'https://example.com');
    },
    { rootPath: '/api' },
  );
});

test("HTTPSRedirectMiddleware with TrustedHostMiddleware: the seed page's pair", async () => {
  const { TrustedHostMiddleware } = await import('../../src/index.js');
  const app = new Faster();
  app.get('/', () => 'ok');
  app.addMiddleware(TrustedHostMiddleware, { allowedHosts: ['api.example.com', '*.example.com'] });
  app.addMiddleware(HTTPSRedirectMiddleware);
  const running = await serve(app);
  try {
    const plain = await send(running.port, '/', 'host: api.example.com\r\n');
    assert.is(plain.status, 307);
    const tls = await send(running.port, '/', 'host: api.example.com\r\nx-forwarded-proto: https\r\n');
    assert.is(tls.status, 200);
    const evil = await send(running.port, '/', 'host: evil.com\r\nx-forwarded-proto: https\r\n');
    assert.is(evil.status, 400);
  } finally {
    await running.close();
  }
});

test.run();
