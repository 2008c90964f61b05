// Every example file, served over real sockets the way its header comment says to run it.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Faster, ListenOptions } from '../../src/index.js';
import { parseResponses } from '../helpers/raw.js';
import { exchange, get, serve, type Running } from '../app/serve.js';
import { ROOT, startCli } from '../cli/spawn.js';

async function example(name: string, options: ListenOptions = {}): Promise<Running> {
  const mod = (await import(`../../examples/${name}.js`)) as { default: Faster };
  return serve(mod.default, options);
}

async function json(port: number, target: string, headers: string[] = ['host: localhost']): Promise<Record<string, unknown>> {
  const r = await get(port, target, headers);
  assert.is(r.status, 200, `${target}: ${r.body}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

test('examples/hello: routes, path parameters, errors, JSON bodies', async () => {
  const app = await example('hello');
  try {
    assert.equal(await json(app.port, '/'), { message: 'Hello, World!' });
    assert.is((await get(app.port, '/hello/Ada')).body, 'Hello, Ada!');
    assert.equal(await json(app.port, '/items/3?q=x'), { id: 3, q: 'x' });
    const bad = await get(app.port, '/items/abc');
    assert.is(bad.status, 422);
    assert.is(bad.body, '{"detail":"id must be an integer"}');
    const echo = parseResponses(await exchange(app.port, 'POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n{"a":[1]}'))[0];
    assert.is(echo.body, '{"received":{"a":[1]}}');
  } finally {
    await app.close();
  }
});

test('examples/client-ip: the seed handler reads X-Forwarded-For as sent; request.client is resolved by the trust stage', async () => {
  const app = await example('client-ip');
  try {
    assert.equal(await json(app.port, '/ip'), { ip: '127.0.0.1' });
    const xff = ['host: x', 'x-forwarded-for: 203.0.113.1, 10.0.0.1'];
    // The seed's handler takes the leftmost entry, whoever wrote it (the page's warning).
    assert.equal(await json(app.port, '/ip', xff), { ip: '203.0.113.1' });
    // The trust stage walks from the right: 10.0.0.1 is not a trusted proxy, so it is the client.
    assert.equal(await json(app.port, '/client', xff), { ip: '10.0.0.1', scheme: 'http' });
    assert.equal(await json(app.port, '/client', ['host: x', 'x-forwarded-for: 203.0.113.1', 'x-forwarded-proto: https']), { ip: '203.0.113.1', scheme: 'https' });
  } finally {
    await app.close();
  }
  // --forwarded-allow-ips 127.0.0.1,10.0.0.0/8: both proxies trusted, the browser is found.
  const trusting = await example('client-ip', { trustedProxies: '127.0.0.1,10.0.0.0/8' });
  try {
    assert.equal(await json(trusting.port, '/client', ['host: x', 'x-forwarded-for: 203.0.113.1, 10.0.0.1']), { ip: '203.0.113.1', scheme: 'http' });
  } finally {
    await trusting.close();
  }
  // An untrusted peer cannot spoof request.client.
  const strict = await example('client-ip', { trustedProxies: [] });
  try {
    assert.equal(await json(strict.port, '/client', ['host: x', 'x-forwarded-for: 203.0.113.1']), { ip: '127.0.0.1', scheme: 'http' });
  } finally {
    await strict.close();
  }
});

test('examples/root-path-flag: fasterapi examples/root-path-flag.js --root-path /api/v1', async () => {
  const { cli, port } = await startCli(['examples/root-path-flag.js', '--port', '0', '--root-path', '/api/v1']);
  try {
    const want = { rootPath: '/api/v1', path: '/info', url: 'http://api.example.com/api/v1/info' };
    assert.equal(await json(port, '/info', ['host: api.example.com']), want);
    assert.equal(await json(port, '/api/v1/info', ['host: api.example.com']), want, 'a request still carrying the prefix');
  } finally {
    cli.child.kill('SIGTERM');
    await cli.exited().catch(() => undefined);
    cli.kill();
  }
});

test('examples/root-path-middleware: RootPathMiddleware sets scope.rootPath with { ...scope, rootPath }', async () => {
  const app = await example('root-path-middleware');
  try {
    assert.equal(await json(app.port, '/info?x=1', ['host: api.example.com']), {
      rootPath: '/api/v1',
      path: '/info',
      url: 'http://api.example.com/api/v1/info?x=1',
    });
    assert.equal(await json(app.port, '/api/v1/info', ['host: api.example.com']), {
      rootPath: '/api/v1',
      path: '/info',
      url: 'http://api.example.com/api/v1/info',
    });
  } finally {
    await app.close();
  }
});

test('RootPathMiddleware and --root-path give the same routing table', async () => {
  const viaMiddleware = await example('root-path-middleware');
  const { cli, port } = await startCli(['examples/root-path-flag.js', '--port', '0', '--root-path', '/api/v1']);
  try {
    const paths = ['/info', '/api/v1/info', '/api/v1', '/api/v1/', '/api/v1x/info', '/api/v1/api/v1/info', '/other', '/info/', '/api/v1/info?q=1'];
    let routed = 0;
    for (const path of paths) {
      const a = await get(viaMiddleware.port, path, ['host: api.example.com']);
      const b = await get(port, path, ['host: api.example.com']);
      assert.is(a.status, b.status, `${path}: status`);
      assert.is(a.body, b.body, `${path}: body`);
      if (a.status === 200) routed++;
    }
    assert.is(routed, 3, '/info, /api/v1/info and /api/v1/info?q=1 reach the route');
  } finally {
    await viaMiddleware.close();
    cli.child.kill('SIGTERM');
    await cli.exited().catch(() => undefined);
    cli.kill();
  }
});

test('examples/trusted-hosts: the seed allowedHosts', async () => {
  const app = await example('trusted-hosts');
  try {
    for (const [host, status] of [
      ['api.example.com', 200],
      ['eu.example.com', 200],
      ['example.com', 400],
      ['evil.com', 400],
      ['evil.com#.example.com', 400],
    ] as const) {
      const r = await get(app.port, '/', [`host: ${host}`]);
      assert.is(r.status, status, host);
      // 'evil.com#…' is refused by the transport's own RFC 3986 check already (400 "Bad Request").
      if (status === 400 && !host.includes('#')) assert.is(r.body, 'Invalid host header');
    }
  } finally {
    await app.close();
  }
});

test('examples/https-redirect: 307 to https unless a trusted proxy saw TLS', async () => {
  const app = await example('https-redirect');
  try {
    const r = await get(app.port, '/?a=1', ['host: api.example.com']);
    assert.is(r.status, 307);
    assert.is(r.headers.location, 'https://api.example.com/?a=1');
    assert.equal(await json(app.port, '/', ['host: api.example.com', 'x-forwarded-proto: https']), { scheme: 'https' });
  } finally {
    await app.close();
  }
  const untrusted = await example('https-redirect', { trustedProxies: [] });
  try {
    assert.is((await get(untrusted.port, '/', ['host: api.example.com', 'x-forwarded-proto: https'])).status, 307, 'spoofed proto is ignored');
  } finally {
    await untrusted.close();
  }
});

test('examples/traefik: the headers Traefik sends (stripprefix → X-Forwarded-Prefix) give root path, scheme, host, client', async () => {
  const compose = readFileSync(`${ROOT}examples/traefik/docker-compose.yml`, 'utf8');
  for (const label of [
    '"traefik.enable=true"',
    '"traefik.http.routers.api.rule=PathPrefix(`/api`)"',
    '"traefik.http.routers.api.entrypoints=websecure"',
    '"traefik.http.middlewares.strip-api.stripprefix.prefixes=/api"',
    '"traefik.http.routers.api.middlewares=strip-api"',
  ]) {
    assert.ok(compose.includes(label), label);
  }
  // Traefik (here: a trusted loopback peer) forwards GET /api/info as GET /info with these headers.
  assert.ok(compose.includes('"--proxy", "traefik", "--root-path", "/api"'), 'the headers Traefik overwrites, and the mount point');
  const app = await example('root-path-flag', { proxy: 'traefik', rootPath: '/api' });
  const client = await example('client-ip', { proxy: 'traefik' });
  try {
    const traefik = [
      'host: api:8000',
      'x-forwarded-for: 198.51.100.20',
      'x-forwarded-host: api.example.com',
      'x-forwarded-port: 443',
      'x-forwarded-proto: https',
      'x-forwarded-prefix: /api',
      'x-real-ip: 198.51.100.20',
    ];
    // a client's own prefix, passed through by a router without stripprefix, changes nothing
    const spoofed = traefik.map((line) => (line.startsWith('x-forwarded-prefix') ? 'x-forwarded-prefix: /evil' : line));
    assert.equal(await json(app.port, '/info', spoofed), { rootPath: '/api', path: '/info', url: 'https://api.example.com/api/info' });
    assert.equal(await json(app.port, '/info', traefik), { rootPath: '/api', path: '/info', url: 'https://api.example.com/api/info' });
    assert.equal(await json(client.port, '/client', traefik), { ip: '198.51.100.20', scheme: 'https' });
  } finally {
    await app.close();
    await client.close();
  }
});

test.run();
