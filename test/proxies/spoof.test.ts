/**
 * Issue 11, behind real proxies: "nothing a client sends may change the resolved
 * client, scheme, host or root path beyond what that proxy wrote."
 *
 * fasterapi's createServer() runs an app that echoes what the trust stage resolved,
 * trusting only 127.0.0.1 (the address every proxy connects from). A client bound to
 * 127.0.0.2 sends every forwarding header family with hostile values, each alone and
 * all together, through Nginx (seed config, TLS and plain), HAProxy (option forwardfor;
 * set-header Forwarded), or Caddy (reverse_proxy). The app must see exactly what the
 * proxy vouched for: client 127.0.0.2, the scheme the proxy saw, the host the proxy
 * sent, rootPath '' — under the default options and under the matching `proxy` preset.
 * What each proxy does with each header is measured by header-behaviour.test.ts; here
 * every case also checks that the hostile values the proxy passes through did reach
 * the app, so each "ignored" is a real one.
 *
 * Then the documented safe extension (nginx writes X-Forwarded-Prefix itself), a
 * negative control (reading X-Forwarded-Host, which the seed config passes through:
 * the spoofed host gets in, and the server warned at start-up), and the CLI with
 * `--proxy nginx` against the issue's reported attack.
 *
 * One proxy and one server per option set, many requests each. A missing proxy binary
 * fails under CI=true and prints a SKIP line otherwise.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type CreateServerOptions } from '../../src/create.js';
import type { Logger } from '../../src/types.js';
import { startCli } from '../cli/spawn.js';
import echoScope, { type Seen } from './fixtures/echo-scope.js';
import { SERVER_NAME, available, bounded as boundedFor, request, startCaddy, startHaproxy, startNginx, type Cleanup, type ProxyHandle } from './harness.js';

const TEST_TIMEOUT_MS = 20_000;
const bounded = (name: string, fn: (use: (c: Cleanup) => void) => Promise<void>): void => boundedFor(name, fn, TEST_TIMEOUT_MS);
/** The client's source address; the proxies connect from 127.0.0.1, the only trusted address. */
const CLIENT = '127.0.0.2';
const TRUSTED = '127.0.0.1';
const EVIL_IP = '6.6.6.6';
const EVIL_HOST = 'evil.example';
const EVIL_PORT = '6666';
const EVIL_PREFIX = '/evil';

// ---------------------------------------------------------------------------
// plumbing: bounded tests with cleanups, the app, the client

interface RunningApp {
  port: number;
  /** Warnings and errors the server logged (start-up included). */
  logs: string[];
}

async function startApp(use: (c: Cleanup) => void, options: CreateServerOptions): Promise<RunningApp> {
  const logs: string[] = [];
  const logger: Logger = {
    error: (m, e) => void logs.push(`error: ${m}${e ? ` ${String(e)}` : ''}`),
    warn: (m) => void logs.push(`warn: ${m}`),
    info: () => {},
  };
  const server = createServer(echoScope, { logger, ...options });
  await server.listen(0, '127.0.0.1');
  use(() => server.close());
  return { port: server.address().port, logs };
}

async function proxy(use: (c: Cleanup) => void, p: Promise<ProxyHandle>): Promise<ProxyHandle> {
  const h = await p;
  use(() => h.stop());
  return h;
}

/** One request from 127.0.0.2 through the proxy; returns what the app saw. */
async function seen(url: string, headers: Record<string, string | string[]>): Promise<Seen> {
  const res = await request(url, { headers, localAddress: CLIENT });
  assert.is(res.status, 200, `${url}: ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as Seen;
}

// ---------------------------------------------------------------------------
// the hostile requests

interface Case {
  name: string;
  headers: Record<string, string | string[]>;
  /** The header whose hostile value is looked for in what the app received (single-header cases). */
  probe?: { header: string; value: string };
}

/** Every family alone, then all at once; `other` is the scheme the proxy did NOT see. */
function cases(other: 'http' | 'https'): Case[] {
  const one = (header: string, value: string, probe = value): Case => ({ name: `${header}: ${value}`, headers: { [header]: value }, probe: { header, value: probe } });
  const forwarded = `for=${EVIL_IP};proto=${other};host=${EVIL_HOST}`;
  const all: Record<string, string> = {
    forwarded,
    'x-forwarded-for': EVIL_IP,
    'x-forwarded-proto': other,
    'x-forwarded-host': EVIL_HOST,
    'x-forwarded-port': EVIL_PORT,
    'x-forwarded-prefix': EVIL_PREFIX,
    'x-real-ip': EVIL_IP,
  };
  return [
    { name: 'nothing spoofed', headers: {} },
    one('forwarded', forwarded, EVIL_IP),
    one('x-forwarded-for', EVIL_IP),
    one('x-forwarded-proto', 'http'),
    one('x-forwarded-proto', 'https'),
    one('x-forwarded-host', EVIL_HOST),
    one('x-forwarded-port', EVIL_PORT),
    one('x-forwarded-prefix', EVIL_PREFIX),
    one('x-real-ip', EVIL_IP),
    { name: 'all of them', headers: all },
    // repeated lines: a proxy that overwrites must drop every one, and a list reader sees them all
    { name: 'all of them, each on two lines', headers: Object.fromEntries(Object.entries(all).map(([n, v]) => [n, [v, v]])) },
  ];
}

interface Expected {
  scheme: 'http' | 'https';
  server: [string, number];
  rootPath: string;
  path: string;
}

/**
 * Sends every case through `url` and asserts the app saw exactly `want`, with the client
 * 127.0.0.2 and the proxy as the peer. `reaching` lists the headers whose hostile value
 * the proxy passes through (or appends to) and which must therefore arrive at the app.
 */
async function assertUnmoved(label: string, url: string, baseHeaders: Record<string, string>, want: Expected, reaching: readonly string[]): Promise<void> {
  const reached: string[] = [];
  for (const c of cases(want.scheme === 'https' ? 'http' : 'https')) {
    const s = await seen(url, { ...baseHeaders, ...c.headers });
    const what = `${label}, ${c.name}`;
    assert.equal(s.client, [CLIENT, 0], `${what}: client`);
    assert.is(s.scheme, want.scheme, `${what}: scheme`);
    assert.equal(s.server, want.server, `${what}: server`);
    assert.is(s.rootPath, want.rootPath, `${what}: rootPath`);
    assert.is(s.path, want.path, `${what}: path`);
    assert.is(s.peer?.[0], TRUSTED, `${what}: the peer is the proxy`);
    const probe = c.probe;
    if (probe && probe.value !== want.scheme && s.headers.some(([n, v]) => n === probe.header && v.split(/[\s,;=]+/).includes(probe.value))) reached.push(probe.header);
  }
  assert.equal(reached, [...reaching], `${label}: the hostile headers that reached the app (they were ignored, not missing)`);
}

// ---------------------------------------------------------------------------
// each proxy in its documented configuration, default options and its preset

interface Setup {
  name: string;
  binaries: string[];
  start: (backendPort: number) => Promise<ProxyHandle>;
  preset: NonNullable<CreateServerOptions['proxy']>;
  /** Path requested through the proxy, and the path the app then sees. */
  path: string;
  appPath: string;
  /** Request headers besides the hostile ones (the Host the client uses). */
  base: (p: ProxyHandle) => Record<string, string>;
  want: (p: ProxyHandle) => Omit<Expected, 'path' | 'rootPath'>;
  /** From header-behaviour.test.ts: what this proxy passes through or appends to. */
  reaching: readonly string[];
}

const NGINX_REACHING = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-prefix'];

const SETUPS: Setup[] = [
  {
    name: 'nginx seed config, TLS',
    binaries: ['nginx', 'openssl'],
    start: (backendPort) => startNginx({ backendPort }),
    preset: 'nginx',
    path: '/api/who',
    appPath: '/who',
    base: () => ({ host: SERVER_NAME }),
    want: () => ({ scheme: 'https', server: [SERVER_NAME, 443] }),
    reaching: NGINX_REACHING,
  },
  {
    name: 'nginx seed config, plain http',
    binaries: ['nginx'],
    start: (backendPort) => startNginx({ backendPort, tls: false }),
    preset: 'nginx',
    path: '/api/who',
    appPath: '/who',
    base: () => ({ host: SERVER_NAME }),
    want: () => ({ scheme: 'http', server: [SERVER_NAME, 80] }),
    reaching: NGINX_REACHING,
  },
  {
    name: 'haproxy option forwardfor + set-header X-Forwarded-Proto',
    binaries: ['haproxy'],
    start: (backendPort) => startHaproxy({ backendPort, mode: 'forwardfor' }),
    preset: 'haproxy',
    path: '/who',
    appPath: '/who',
    // haproxy passes the client's Host through
    base: (p) => ({ host: `127.0.0.1:${p.port}` }),
    want: (p) => ({ scheme: 'http', server: ['127.0.0.1', p.port] }),
    reaching: ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-prefix', 'x-real-ip'],
  },
  {
    name: 'caddy reverse_proxy',
    binaries: ['caddy'],
    start: (backendPort) => startCaddy({ backendPort }),
    preset: 'caddy',
    path: '/who',
    appPath: '/who',
    // caddy passes Host through and writes it to X-Forwarded-Host
    base: (p) => ({ host: `127.0.0.1:${p.port}` }),
    want: (p) => ({ scheme: 'http', server: ['127.0.0.1', p.port] }),
    reaching: ['forwarded', 'x-forwarded-port', 'x-forwarded-prefix', 'x-real-ip'],
  },
];

for (const s of SETUPS) {
  for (const [label, options] of [
    ['default options', {}],
    [`proxy: '${s.preset}'`, { proxy: s.preset }],
  ] as Array<[string, CreateServerOptions]>) {
    bounded(`${s.name}, ${label}: no spoofed header moves client, scheme, host or root path`, async (use) => {
      if (!available(s.name, s.binaries)) return;
      const app = await startApp(use, { trustedProxies: TRUSTED, ...options });
      const p = await proxy(use, s.start(app.port));
      await assertUnmoved(`${s.name}, ${label}`, `${p.url}${s.path}`, s.base(p), { ...s.want(p), rootPath: '', path: s.appPath }, s.reaching);
      assert.equal(app.logs, [], 'no warnings or errors: the preset reads only what the proxy writes');
    });
  }
}

// ---------------------------------------------------------------------------
// RFC 7239 Forwarded: haproxy writing it with set-header (2.6 has no `option forwarded`)

bounded("haproxy set-header Forwarded, forwardedHeaders ['forwarded']: client, proto and host from haproxy's element only", async (use) => {
  if (!available('haproxy set-forwarded', ['haproxy'])) return;
  const app = await startApp(use, { trustedProxies: TRUSTED, forwardedHeaders: ['forwarded'] });
  const p = await proxy(use, startHaproxy({ backendPort: app.port, mode: 'set-forwarded' }));
  const host = `127.0.0.1:${p.port}`;
  await assertUnmoved('haproxy set-forwarded', `${p.url}/who`, { host }, { scheme: 'http', server: ['127.0.0.1', p.port], rootPath: '', path: '/who' }, [
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-forwarded-host',
    'x-forwarded-port',
    'x-forwarded-prefix',
    'x-real-ip',
  ]);
  // the Forwarded line the app read is haproxy's alone
  const s = await seen(`${p.url}/who`, { host, forwarded: `for=${EVIL_IP};proto=https;host=${EVIL_HOST}` });
  assert.equal(
    s.headers.filter(([n]) => n === 'forwarded').map(([, v]) => v),
    [`for="${CLIENT}";proto=http;host="${host}"`],
  );
  assert.equal(app.logs, []);
});

/**
 * A proxy that appends its own Forwarded element (`for=` only, no proto= or host=) after
 * the client's: the client's proto= and host= sit in an element the walk never reaches,
 * so they must not fill in what the proxy's element leaves out.
 */
bounded("haproxy add-header Forwarded (for= only, appended), forwardedHeaders ['forwarded']: the client's proto= and host= are not borrowed", async (use) => {
  if (!available('haproxy add-forwarded', ['haproxy'])) return;
  const app = await startApp(use, { trustedProxies: TRUSTED, forwardedHeaders: ['forwarded'] });
  const p = await proxy(use, startHaproxy({ backendPort: app.port, mode: 'add-forwarded' }));
  await assertUnmoved('haproxy add-forwarded', `${p.url}/who`, { host: `127.0.0.1:${p.port}` }, { scheme: 'http', server: ['127.0.0.1', p.port], rootPath: '', path: '/who' }, [
    'forwarded',
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-forwarded-host',
    'x-forwarded-port',
    'x-forwarded-prefix',
    'x-real-ip',
  ]);
  assert.equal(app.logs, []);
});

// ---------------------------------------------------------------------------
// nginx with the documented safe extension: it writes X-Forwarded-Prefix (and clears Forwarded)

const SAFE_EXTENSION = ['proxy_set_header   Forwarded          "";', 'proxy_set_header   X-Forwarded-Prefix /api;'];
const WITH_PREFIX = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-prefix'] as const;

bounded("nginx + proxy_set_header X-Forwarded-Prefix /api, forwardedHeaders [..., 'x-forwarded-prefix']: rootPath /api whatever the client sent", async (use) => {
  if (!available('nginx', ['nginx', 'openssl'])) return;
  const app = await startApp(use, { trustedProxies: TRUSTED, forwardedHeaders: [...WITH_PREFIX] });
  const p = await proxy(use, startNginx({ backendPort: app.port, extraLocationLines: SAFE_EXTENSION }));
  await assertUnmoved(
    'nginx safe extension',
    `${p.url}/api/who`,
    {},
    { scheme: 'https', server: [SERVER_NAME, 443], rootPath: '/api', path: '/who' },
    // Forwarded is now cleared and X-Forwarded-Prefix overwritten by nginx
    ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port'],
  );
  assert.equal(app.logs, []);
});

bounded("nginx + the same extension, proxy: 'nginx' plus x-forwarded-prefix: still /api, and one warning (the preset cannot know the config was extended)", async (use) => {
  if (!available('nginx', ['nginx', 'openssl'])) return;
  const app = await startApp(use, { trustedProxies: TRUSTED, proxy: 'nginx', forwardedHeaders: [...WITH_PREFIX] });
  const p = await proxy(use, startNginx({ backendPort: app.port, extraLocationLines: SAFE_EXTENSION }));
  assert.is(app.logs.length, 1, JSON.stringify(app.logs));
  assert.match(app.logs[0], /^warn: .*x-forwarded-prefix.*'nginx'/);
  const s = await seen(`${p.url}/api/who`, { 'x-forwarded-prefix': EVIL_PREFIX });
  assert.is(s.rootPath, '/api');
  assert.equal(s.client, [CLIENT, 0]);
});

// ---------------------------------------------------------------------------
// negative control: reading a header the proxy passes through lets the client choose it

bounded(
  "negative control: nginx seed config with proxy: 'nginx' + x-forwarded-host (which nginx passes through): the spoofed host gets in, after a start-up warning",
  async (use) => {
    if (!available('nginx', ['nginx', 'openssl'])) return;
    const app = await startApp(use, { trustedProxies: TRUSTED, proxy: 'nginx', forwardedHeaders: ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] });
    assert.is(app.logs.length, 1, `one start-up warning: ${JSON.stringify(app.logs)}`);
    assert.match(app.logs[0], /^warn: trust: forwardedHeaders reads x-forwarded-host, which the 'nginx' preset's proxy passes through/);
    const p = await proxy(use, startNginx({ backendPort: app.port }));
    const honest = await seen(`${p.url}/api/who`, {});
    assert.equal(honest.server, [SERVER_NAME, 443], 'without the header, Host (written by nginx)');
    const spoofed = await seen(`${p.url}/api/who`, { 'x-forwarded-host': EVIL_HOST });
    assert.equal(spoofed.server, [EVIL_HOST, 443], "the client's X-Forwarded-Host became scope.server");
    assert.equal(spoofed.client, [CLIENT, 0], 'the address is still right: X-Forwarded-For is appended to');
    assert.is(spoofed.scheme, 'https');
    assert.is(app.logs.length, 1, 'nothing logged per request');
  },
);

// ---------------------------------------------------------------------------
// the CLI: the issue's reported attack against `--proxy nginx`

bounded('CLI --proxy nginx --forwarded-allow-ips 127.0.0.1 behind nginx: Forwarded for=/proto= and X-Forwarded-Prefix from the client are ignored', async (use) => {
  if (!available('nginx', ['nginx', 'openssl'])) return;
  const { cli, port } = await startCli(['test/proxies/fixtures/echo-scope.ts', '--port', '0', '--proxy', 'nginx', '--forwarded-allow-ips', TRUSTED]);
  use(async () => {
    cli.kill();
    await cli.exited(3000);
  });
  const p = await proxy(use, startNginx({ backendPort: port }));
  const attack = { forwarded: `for=${EVIL_IP};proto=http`, 'x-forwarded-prefix': EVIL_PREFIX };
  const s = await seen(`${p.url}/api/who`, attack);
  assert.ok(
    s.headers.some(([n, v]) => n === 'forwarded' && v.includes(EVIL_IP)) && s.headers.some(([n, v]) => n === 'x-forwarded-prefix' && v === EVIL_PREFIX),
    'nginx passed both hostile headers to the app',
  );
  assert.equal(s.client, [CLIENT, 0]);
  assert.is(s.scheme, 'https');
  assert.equal(s.server, [SERVER_NAME, 443]);
  assert.is(s.rootPath, '');
  assert.is(s.path, '/who');
  assert.not.match(cli.stderr(), /WARN|ERROR/, 'no warning for the plain preset');
});

test.run();
