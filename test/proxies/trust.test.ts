/**
 * The trust stage behind REAL proxies (issue 3, "Tests", second bullet): fasterapi's
 * bare createServer() on 127.0.0.1:0 with an ASGI app that echoes what the trust stage
 * resolved, and Nginx (the seed page's config), HAProxy (option forwardfor,
 * send-proxy, send-proxy-v2) or Caddy (reverse_proxy) in front of it.
 *
 * Everything runs on loopback, which matters for what "trusted" means here: the test
 * client itself connects from 127.0.0.1, so under the default trust ('loopback' =
 * 127.0.0.0/8 and ::1) the client is as trusted as the proxy, and whatever it claims
 * in X-Forwarded-For is believed (exactly as it would be for a client on the proxy's
 * own host in production). To see the anti-spoofing behaviour of a narrow
 * configuration, some requests are sent from a second loopback address, 127.0.0.2
 * (Linux routes all of 127/8 to lo), with fasterapi trusting only '127.0.0.1/32', the
 * address the proxies connect from.
 *
 * Facts about the proxies (checked on the wire by harness.test.ts, and echoed back by
 * these tests too):
 * - nginx (seed config): HTTP/1.0 + Connection: close upstream, `/api/` stripped,
 *   Host = $host (no port), X-Real-IP = $remote_addr, X-Forwarded-Proto = $scheme,
 *   X-Forwarded-For = client's value + ", $remote_addr" (appends: spoofable).
 * - haproxy `option forwardfor`: keeps the client's X-Forwarded-For line(s) and adds
 *   its own as a SEPARATE line; the harness config sets X-Forwarded-Proto http.
 * - haproxy send-proxy / send-proxy-v2 (mode tcp): PROXY header with the client's
 *   source address and port, the HTTP bytes untouched.
 * - caddy reverse_proxy (no trusted_proxies): REPLACES X-Forwarded-For/-Proto/-Host
 *   with its own view (client address, http, the Host the client sent).
 *
 * A missing binary fails the test when CI is set (.ci/run installs them) and
 * otherwise prints a SKIP line, like harness.test.ts. TRUST_TEST_VERBOSE=1 prints what
 * the app saw for every request (headers as each proxy sent them) and test timings.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as http from 'node:http';
import * as https from 'node:https';
import { createServer, type CreateServerOptions } from '../../src/create.js';
import type { Server } from '../../src/server/server.js';
import type { Logger } from '../../src/types.js';
import { rawRequest } from '../helpers/raw.js';
import echo, { type Seen } from './fixtures/echo-scope.js';
import { SERVER_NAME, available, bounded, startCaddy, startHaproxy, startNginx, type Cleanup, type ProxyHandle } from './harness.js';

const SPOOF = '203.0.113.9';
/** A second loopback source address, to tell the client apart from the proxy (which connects from 127.0.0.1). */
const OTHER_LOOPBACK = '127.0.0.2';

// ---------------------------------------------------------------------------
// test plumbing: bounded tests, cleanups in finally, SKIP/FAIL policy

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// the app under test: echoes what the trust stage resolved

interface App0 {
  server: Server;
  port: number;
  /** Remote ports of the TCP connections the server accepted, in order (the proxy's upstream side). */
  tcpPeerPorts: number[];
  /** Errors and warnings the server logged. */
  logs: string[];
}

/** fasterapi on 127.0.0.1:0 running the echo app; closed (bounded) by the test's cleanup. */
async function startApp(use: (c: Cleanup) => void, options: CreateServerOptions): Promise<App0> {
  const logs: string[] = [];
  const logger: Logger = {
    error: (m, e) => void logs.push(`error: ${m}${e ? ` ${String(e)}` : ''}`),
    warn: (m) => void logs.push(`warn: ${m}`),
    info: () => {},
  };
  const server = createServer(echo, { logger, ...options });
  const tcpPeerPorts: number[] = [];
  // Registered after the transport's own listener, which may have moved the accepted
  // handle into a new socket: read the port from the transport's connection instead.
  const recorded = new WeakSet<object>();
  server.net.on('connection', () => {
    for (const conn of server.core.connections) {
      if (recorded.has(conn)) continue;
      recorded.add(conn);
      tcpPeerPorts.push(conn.socket.remotePort ?? -1);
    }
  });
  await server.listen(0, '127.0.0.1');
  use(async () => {
    const closed = await Promise.race([server.close().then(() => true), sleep(3000).then(() => false)]);
    if (!closed) {
      for (const conn of server.core.connections) conn.socket.destroy();
      server.net.close();
      server.core.stop();
      throw new Error('fasterapi server.close() did not resolve within 3 s (sockets destroyed)');
    }
  });
  return { server, port: server.address().port, tcpPeerPorts, logs };
}

async function proxy(use: (c: Cleanup) => void, p: Promise<ProxyHandle>): Promise<ProxyHandle> {
  const h = await p;
  use(() => h.stop());
  return h;
}

// ---------------------------------------------------------------------------
// the client: node:http(s) with a chosen source address, reporting its own port

interface GetOptions {
  headers?: Record<string, string | string[]>;
  /** Source address of the client socket (default 127.0.0.1). */
  localAddress?: string;
  timeoutMs?: number;
}

interface Got {
  status: number;
  seen: Seen;
  /** Source address and port of the client's socket (what the proxy saw as the peer). */
  localAddress: string;
  localPort: number;
  body: string;
}

/** One GET with a fresh connection; the body must be the echo app's JSON. */
function get(url: string, o: GetOptions = {}): Promise<Got> {
  const target = new URL(url);
  const tls = target.protocol === 'https:';
  const headers: Record<string, string | string[]> = { ...(o.headers ?? {}) };
  if (tls && !Object.keys(headers).some((h) => h.toLowerCase() === 'host')) headers.host = SERVER_NAME;
  const timeoutMs = o.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, got?: Got): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(got!);
    };
    const common: http.RequestOptions = {
      host: target.hostname,
      port: Number(target.port),
      path: `${target.pathname}${target.search}`,
      method: 'GET',
      headers,
      agent: false,
      localAddress: o.localAddress ?? '127.0.0.1',
    };
    const onResponse = (res: http.IncomingMessage): void => {
      const sock = res.socket;
      const localAddress = sock?.localAddress ?? '';
      const localPort = sock?.localPort ?? -1;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => finish(e));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let seen: Seen;
        try {
          seen = JSON.parse(body) as Seen;
        } catch {
          finish(new Error(`${url}: status ${res.statusCode}, not the echo app's JSON: ${JSON.stringify(body.slice(0, 300))}`));
          return;
        }
        finish(null, { status: res.statusCode ?? 0, seen, localAddress, localPort, body });
      });
    };
    const req = tls ? https.request({ ...common, servername: SERVER_NAME, rejectUnauthorized: false }, onResponse) : http.request(common, onResponse);
    const timer = setTimeout(() => {
      req.destroy();
      finish(new Error(`GET ${url} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => finish(e));
    req.end();
  });
}

/** Values of header `name` as the app received them, one per line. */
function lines(seen: Seen, name: string): string[] {
  return seen.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** Asserts a 200 from the echo app and returns what it saw. */
async function ok(url: string, o?: GetOptions): Promise<Got> {
  const got = await get(url, o);
  if (process.env.TRUST_TEST_VERBOSE) console.log(`\nSEEN ${url} ${JSON.stringify(o ?? {})}\n  ${JSON.stringify(got.seen)}`);
  assert.is(got.status, 200, got.body);
  return got;
}

function noErrors(app: App0): void {
  assert.equal(
    app.logs.filter((l) => l.startsWith('error')),
    [],
    'server logged no errors',
  );
}

// ---------------------------------------------------------------------------
// 1. nginx with the seed page's config (TLS, location /api/)

bounded('nginx TLS, default trust, rootPath /api: client, https, api.example.com:443, /api + /items', async (use) => {
  if (!available('nginx', ['nginx', 'openssl'])) return;
  const app = await startApp(use, { rootPath: '/api' });
  const p = await proxy(use, startNginx({ backendPort: app.port }));

  const { seen, localPort } = await ok(`${p.url}/api/items?x=1`);
  // what nginx sent (seed config)
  assert.is(seen.httpVersion, '1.0');
  assert.equal(lines(seen, 'host'), [SERVER_NAME]);
  assert.equal(lines(seen, 'x-real-ip'), ['127.0.0.1']);
  assert.equal(lines(seen, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(lines(seen, 'x-forwarded-proto'), ['https']);
  assert.equal(lines(seen, 'connection'), ['close']);
  // what the trust stage made of it
  assert.equal(seen.client, ['127.0.0.1', 0], 'client: the X-Forwarded-For item (no port in it → 0)');
  assert.is(seen.scheme, 'https', 'X-Forwarded-Proto from the trusted nginx');
  assert.equal(seen.server, [SERVER_NAME, 443], 'Host without port + https → 443');
  assert.is(seen.rootPath, '/api');
  assert.is(seen.path, '/items');
  assert.is(seen.queryString, 'x=1');
  // the socket peer stays readable: nginx's upstream connection, not the test client
  assert.ok(seen.peer, 'peer set');
  assert.is(seen.peer![0], '127.0.0.1');
  assert.is(seen.peer![1], app.tcpPeerPorts[0], 'peer port is the port of the connection nginx opened to us');
  assert.is.not(seen.peer![1], localPort, "peer port is nginx's, not the client's");

  // a deeper path: rootPath is not doubled, nothing else changes
  const deep = await ok(`${p.url}/api/a/b%20c/?y=2`);
  assert.is(deep.seen.rootPath, '/api');
  assert.is(deep.seen.path, '/a/b c/');
  assert.is(deep.seen.queryString, 'y=2');
  assert.is(deep.seen.scheme, 'https');
  noErrors(app);
});

/**
 * nginx APPENDS $remote_addr to the client's X-Forwarded-For, so a client that sends
 * `X-Forwarded-For: 203.0.113.9` reaches us as `203.0.113.9, <its address>`. The walk
 * goes right to left, skipping trusted hops:
 * - client at 127.0.0.1, trust 'loopback' (default) or '127.0.0.1/32': the rightmost
 *   item 127.0.0.1 (the client as nginx saw it) is itself a trusted address, so the
 *   walk steps over it and the first untrusted address, 203.0.113.9, is the client.
 *   That is what the chain says, and a client sitting on a trusted address is allowed
 *   to speak for others. (In production the browser's address is public and untrusted:
 *   the walk stops there, see the 127.0.0.2 cases.)
 * - trustedProxies: 1 (hop count, only nginx is a proxy): exactly one step back from
 *   the peer, the rightmost item 127.0.0.1, whatever the client prepended.
 * - client at 127.0.0.2, trust '127.0.0.1/32' (only the nginx host): the rightmost item
 *   127.0.0.2 is untrusted → client 127.0.0.2; the spoofed item is never reached.
 * - client at 127.0.0.2, trust 'loopback': 127.0.0.2 is in 127/8 → trusted → 203.0.113.9.
 * The scheme is https in every case: nginx overwrites X-Forwarded-Proto with $scheme.
 */
const NGINX_SPOOF_CASES: Array<{
  name: string;
  options: CreateServerOptions;
  from: string;
  headers?: Record<string, string>;
  xff: string;
  client: string;
}> = [
  { name: "default ('loopback'), client 127.0.0.1", options: {}, from: '127.0.0.1', xff: `${SPOOF}, 127.0.0.1`, client: SPOOF },
  { name: "'127.0.0.1/32', client 127.0.0.1", options: { trustedProxies: ['127.0.0.1/32'] }, from: '127.0.0.1', xff: `${SPOOF}, 127.0.0.1`, client: SPOOF },
  { name: 'hop count 1, client 127.0.0.1', options: { trustedProxies: 1 }, from: '127.0.0.1', xff: `${SPOOF}, 127.0.0.1`, client: '127.0.0.1' },
  { name: "'127.0.0.1/32', client 127.0.0.2", options: { trustedProxies: '127.0.0.1/32' }, from: OTHER_LOOPBACK, xff: `${SPOOF}, ${OTHER_LOOPBACK}`, client: OTHER_LOOPBACK },
  { name: "default ('loopback'), client 127.0.0.2", options: {}, from: OTHER_LOOPBACK, xff: `${SPOOF}, ${OTHER_LOOPBACK}`, client: SPOOF },
  {
    // two proxies claimed by hop count: nginx and the hop before it (203.0.113.9)
    name: 'hop count 2, client 127.0.0.1 sending a two-item chain',
    options: { trustedProxies: 2 },
    from: '127.0.0.1',
    headers: { 'X-Forwarded-For': `198.51.100.7, ${SPOOF}` },
    xff: `198.51.100.7, ${SPOOF}, 127.0.0.1`,
    client: SPOOF,
  },
];

for (const c of NGINX_SPOOF_CASES) {
  bounded(`nginx TLS + spoofed X-Forwarded-For (nginx appends), ${c.name} → client ${c.client}`, async (use) => {
    if (!available('nginx', ['nginx', 'openssl'])) return;
    const app = await startApp(use, { rootPath: '/api', ...c.options });
    const p = await proxy(use, startNginx({ backendPort: app.port }));
    const headers = c.headers ?? { 'X-Forwarded-For': SPOOF, 'X-Forwarded-Proto': 'http' };
    const { seen, localAddress } = await ok(`${p.url}/api/who`, { headers, localAddress: c.from });
    assert.is(localAddress, c.from, `${c.name}: client bound to ${c.from}`);
    assert.equal(lines(seen, 'x-forwarded-for'), [c.xff], `${c.name}: X-Forwarded-For as nginx sent it`);
    assert.equal(lines(seen, 'x-real-ip'), [c.from], `${c.name}: X-Real-IP`);
    assert.equal(seen.client, [c.client, 0], `${c.name}: client`);
    assert.is(seen.scheme, 'https', `${c.name}: scheme (nginx overwrote the client's X-Forwarded-Proto)`);
    assert.equal(seen.server, [SERVER_NAME, 443], `${c.name}: server`);
    assert.is(seen.path, '/who', `${c.name}: path`);
    assert.is(seen.peer?.[0], '127.0.0.1', `${c.name}: peer is nginx`);
    noErrors(app);
  });
}

bounded('nginx without TLS: X-Forwarded-Proto http → scheme http, port 80', async (use) => {
  if (!available('nginx', ['nginx'])) return;
  const app = await startApp(use, { rootPath: '/api' });
  const p = await proxy(use, startNginx({ backendPort: app.port, tls: false }));
  assert.ok(p.url.startsWith('http://'), p.url);
  const { seen } = await ok(`${p.url}/api/items?x=1`, { headers: { host: SERVER_NAME } });
  assert.equal(lines(seen, 'x-forwarded-proto'), ['http']);
  assert.equal(seen.client, ['127.0.0.1', 0]);
  assert.is(seen.scheme, 'http');
  assert.equal(seen.server, [SERVER_NAME, 80]);
  assert.is(seen.rootPath, '/api');
  assert.is(seen.path, '/items');

  // the client claiming https through plain-http nginx changes nothing: $scheme overwrites it
  const claimed = await ok(`${p.url}/api/items`, { headers: { host: SERVER_NAME, 'X-Forwarded-Proto': 'https' } });
  assert.equal(lines(claimed.seen, 'x-forwarded-proto'), ['http']);
  assert.is(claimed.seen.scheme, 'http');
  noErrors(app);
});

/**
 * The seed page's nginx config does not set X-Forwarded-Host/-Port/-Prefix, so nginx
 * passes a client's own values through, and nginx is a trusted peer. That is why
 * A proxy vouches only for the headers it overwrites (issue 11). The seed config
 * overwrites X-Forwarded-Proto and appends to X-Forwarded-For; X-Forwarded-Host/-Port/
 * -Prefix and Forwarded pass through from the client, so by default (and with the
 * nginx preset) none of them is read. Listing one that nginx passes through hands it
 * to the client, as the last part shows.
 */
bounded("nginx seed config passes the client's X-Forwarded-Host/-Port/-Prefix through: none is read unless listed", async (use) => {
  if (!available('nginx', ['nginx', 'openssl'])) return;
  const app = await startApp(use, { trustedProxies: '127.0.0.1/32' });
  const p = await proxy(use, startNginx({ backendPort: app.port }));
  const evil = { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Port': '8443', 'X-Forwarded-Prefix': '/evil', Forwarded: 'for=6.6.6.6;proto=http' };
  const { seen } = await ok(`${p.url}/api/items`, { localAddress: OTHER_LOOPBACK, headers: evil });
  assert.equal(lines(seen, 'x-forwarded-host'), ['evil.example'], 'nginx passed it through');
  assert.equal(lines(seen, 'x-forwarded-port'), ['8443']);
  assert.equal(lines(seen, 'x-forwarded-prefix'), ['/evil']);
  assert.equal(lines(seen, 'forwarded'), ['for=6.6.6.6;proto=http']);
  assert.equal(seen.client, [OTHER_LOOPBACK, 0], 'the walk stops at the untrusted client');
  assert.is(seen.scheme, 'https', "X-Forwarded-Proto is nginx's");
  assert.equal(seen.server, [SERVER_NAME, 443], 'host and port come from Host, set by nginx');
  assert.is(seen.rootPath, '', "a passed-through prefix is the client's: not read");
  assert.is(seen.path, '/items');

  // a static rootPath is what counts
  const app2 = await startApp(use, { trustedProxies: '127.0.0.1/32', rootPath: '/api' });
  const p2 = await proxy(use, startNginx({ backendPort: app2.port }));
  const second = await ok(`${p2.url}/api/items`, { localAddress: OTHER_LOOPBACK, headers: { 'X-Forwarded-Prefix': '/evil' } });
  assert.is(second.seen.rootPath, '/api');
  assert.equal(second.seen.server, [SERVER_NAME, 443]);

  // why it is opt-in: listing headers this nginx config passes through lets the client choose them
  const app3 = await startApp(use, { trustedProxies: '127.0.0.1/32', forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-port,x-forwarded-prefix' });
  const p3 = await proxy(use, startNginx({ backendPort: app3.port }));
  const third = await ok(`${p3.url}/api/items`, { localAddress: OTHER_LOOPBACK, headers: evil });
  assert.equal(third.seen.server, ['evil.example', 8443]);
  assert.is(third.seen.rootPath, '/evil');
  noErrors(app);
  noErrors(app2);
  noErrors(app3);
});

// ---------------------------------------------------------------------------
// 2. nothing trusted: forwarding headers from the (untrusted) nginx are ignored

for (const options of [{ trustedProxies: [] as string[] }, { trustedProxies: 0 }, { proxyHeaders: false }] as CreateServerOptions[]) {
  const name = JSON.stringify(options);
  bounded(`nginx TLS, ${name} (nothing trusted): client = the proxy, scheme http despite X-Forwarded-Proto https`, async (use) => {
    if (!available('nginx', ['nginx', 'openssl'])) return;
    const app = await startApp(use, { rootPath: '/api', ...options });
    const p = await proxy(use, startNginx({ backendPort: app.port }));
    const spoofed: Record<string, string> = { 'X-Forwarded-For': SPOOF, 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example' };
    for (const headers of [{}, spoofed]) {
      const before = app.tcpPeerPorts.length;
      const { seen, localPort } = await ok(`${p.url}/api/items?x=1`, { headers });
      assert.equal(lines(seen, 'x-forwarded-proto'), ['https'], `${name}: nginx did send https`);
      assert.ok(lines(seen, 'x-forwarded-for')[0].endsWith('127.0.0.1'), `${name}: and X-Forwarded-For`);
      assert.is(app.tcpPeerPorts.length, before + 1, `${name}: one upstream connection per request (Connection: close)`);
      const nginxPort = app.tcpPeerPorts[before];
      assert.equal(seen.peer, ['127.0.0.1', nginxPort], `${name}: peer = nginx's upstream socket`);
      assert.equal(seen.client, ['127.0.0.1', nginxPort], `${name}: client = the peer (nginx), headers ignored`);
      assert.is.not(seen.client![1], localPort, `${name}: not the test client's port`);
      assert.is(seen.scheme, 'http', `${name}: scheme stays http`);
      assert.equal(seen.server, [SERVER_NAME, 80], `${name}: Host header, http default port (X-Forwarded-Host ignored)`);
      assert.is(seen.rootPath, '/api', `${name}: the static rootPath applies regardless of trust`);
      assert.is(seen.path, '/items', `${name}: path`);
    }
    noErrors(app);
  });
}

// ---------------------------------------------------------------------------
// 3. HAProxy option forwardfor: repeated X-Forwarded-For lines

/**
 * haproxy adds its own X-Forwarded-For line after the client's, so the app sees the
 * lines ['203.0.113.9', '127.0.0.1'] (or three lines for a client sending two). The
 * walk treats the lines as one list, in order, so the outcome is the same as for
 * nginx's single appended line.
 */
bounded('haproxy forwardfor, no client header: one X-Forwarded-For line, client 127.0.0.1, scheme http', async (use) => {
  if (!available('haproxy forwardfor', ['haproxy'])) return;
  const app = await startApp(use, {});
  const p = await proxy(use, startHaproxy({ backendPort: app.port, mode: 'forwardfor' }));
  const { seen } = await ok(`${p.url}/api/x?y=1`);
  assert.is(seen.httpVersion, '1.1');
  assert.equal(lines(seen, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(lines(seen, 'x-forwarded-proto'), ['http']);
  assert.equal(seen.client, ['127.0.0.1', 0]);
  assert.is(seen.scheme, 'http');
  assert.equal(seen.server, ['127.0.0.1', p.port], 'Host as the client sent it (haproxy passes it through)');
  assert.is(seen.rootPath, '');
  assert.is(seen.path, '/api/x', 'haproxy does not rewrite the path');
  noErrors(app);
});

const HAPROXY_CASES: Array<{ name: string; options: CreateServerOptions; from: string; xff: string | string[]; lines: string[]; client: string }> = [
  { name: "default ('loopback'), client 127.0.0.1", options: {}, from: '127.0.0.1', xff: SPOOF, lines: [SPOOF, '127.0.0.1'], client: SPOOF },
  { name: 'hop count 1, client 127.0.0.1', options: { trustedProxies: 1 }, from: '127.0.0.1', xff: SPOOF, lines: [SPOOF, '127.0.0.1'], client: '127.0.0.1' },
  {
    name: "'127.0.0.1/32', client 127.0.0.2",
    options: { trustedProxies: ['127.0.0.1/32'] },
    from: OTHER_LOOPBACK,
    xff: SPOOF,
    lines: [SPOOF, OTHER_LOOPBACK],
    client: OTHER_LOOPBACK,
  },
  { name: "default ('loopback'), client 127.0.0.2", options: {}, from: OTHER_LOOPBACK, xff: SPOOF, lines: [SPOOF, OTHER_LOOPBACK], client: SPOOF },
  {
    name: 'hop count 2, client sending two lines',
    options: { trustedProxies: 2 },
    from: '127.0.0.1',
    xff: ['198.51.100.7', SPOOF],
    lines: ['198.51.100.7', SPOOF, '127.0.0.1'],
    client: SPOOF,
  },
  {
    // a line with garbage on the left of the trusted hops: the walk stops at the last valid address
    name: "default ('loopback'), client sending 'unknown' before a trusted hop",
    options: {},
    from: '127.0.0.1',
    xff: ['unknown', '127.0.0.5'],
    lines: ['unknown', '127.0.0.5', '127.0.0.1'],
    client: '127.0.0.5',
  },
];

for (const c of HAPROXY_CASES) {
  bounded(`haproxy forwardfor, repeated X-Forwarded-For lines, ${c.name} → client ${c.client}`, async (use) => {
    if (!available('haproxy forwardfor', ['haproxy'])) return;
    const app = await startApp(use, c.options);
    const p = await proxy(use, startHaproxy({ backendPort: app.port, mode: 'forwardfor' }));
    const { seen, localAddress } = await ok(`${p.url}/who`, {
      headers: { 'X-Forwarded-For': c.xff, 'X-Forwarded-Proto': 'https' },
      localAddress: c.from,
    });
    assert.is(localAddress, c.from, `${c.name}: client bound to ${c.from}`);
    assert.equal(lines(seen, 'x-forwarded-for'), c.lines, `${c.name}: X-Forwarded-For lines as haproxy sent them`);
    assert.equal(lines(seen, 'x-forwarded-proto'), ['http'], `${c.name}: haproxy replaced the client's X-Forwarded-Proto`);
    assert.equal(seen.client, [c.client, 0], `${c.name}: client`);
    assert.is(seen.scheme, 'http', `${c.name}: scheme`);
    assert.is(seen.peer?.[0], '127.0.0.1', `${c.name}: peer is haproxy`);
    noErrors(app);
  });
}

// ---------------------------------------------------------------------------
// 4. PROXY protocol: haproxy send-proxy-v2 / send-proxy, and no header at all

for (const mode of ['send-proxy-v2', 'send-proxy'] as const) {
  bounded(`haproxy ${mode} + proxyProtocol: peer = the PROXY source (the client's address and port)`, async (use) => {
    if (!available(`haproxy ${mode}`, ['haproxy'])) return;

    // default trust: haproxy (127.0.0.1) is trusted, its PROXY header is adopted
    {
      const app = await startApp(use, { proxyProtocol: true });
      const p = await proxy(use, startHaproxy({ backendPort: app.port, mode }));
      const { seen, localPort } = await ok(`${p.url}/api/x?y=1`);
      assert.equal(seen.peer, ['127.0.0.1', localPort], "peer: the client's source address and port from the PROXY header");
      assert.equal(seen.client, ['127.0.0.1', localPort], 'client = peer (no forwarding headers)');
      assert.ok(app.tcpPeerPorts.length >= 1, 'haproxy connected');
      assert.is(seen.scheme, 'http', 'no SSL TLV: http');
      assert.equal(seen.server, ['127.0.0.1', p.port], 'Host as the client sent it');
      assert.is(seen.path, '/api/x');
      assert.is(seen.queryString, 'y=1');
      assert.equal(lines(seen, 'x-forwarded-for'), [], 'mode tcp adds no headers');
      noErrors(app);
    }

    // only the haproxy host is trusted, the client (127.0.0.2) is not: its headers are ignored
    {
      const app = await startApp(use, { proxyProtocol: true, trustedProxies: '127.0.0.1/32' });
      const p = await proxy(use, startHaproxy({ backendPort: app.port, mode }));
      const { seen, localPort } = await ok(`${p.url}/x`, {
        localAddress: OTHER_LOOPBACK,
        headers: { 'X-Forwarded-For': SPOOF, 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example' },
      });
      assert.equal(lines(seen, 'x-forwarded-for'), [SPOOF], 'the spoofed header reached the app untouched');
      assert.equal(seen.peer, [OTHER_LOOPBACK, localPort], 'peer from the PROXY header');
      assert.equal(seen.client, [OTHER_LOOPBACK, localPort], 'client = the untrusted peer: X-Forwarded-For ignored');
      assert.is(seen.scheme, 'http', 'X-Forwarded-Proto ignored');
      assert.equal(seen.server, ['127.0.0.1', p.port], 'X-Forwarded-Host ignored');
      noErrors(app);
    }

    // default trust, client on 127.0.0.1: the adopted peer is a loopback address, hence
    // trusted, so ITS X-Forwarded-For is read (a client on a trusted address may speak for others)
    {
      const app = await startApp(use, { proxyProtocol: true });
      const p = await proxy(use, startHaproxy({ backendPort: app.port, mode }));
      const { seen, localPort } = await ok(`${p.url}/x`, { headers: { 'X-Forwarded-For': SPOOF } });
      assert.equal(seen.peer, ['127.0.0.1', localPort]);
      assert.equal(seen.client, [SPOOF, 0]);
      noErrors(app);
    }

    // nothing trusted: the PROXY header is required and consumed but not believed
    {
      const app = await startApp(use, { proxyProtocol: true, trustedProxies: [] });
      const p = await proxy(use, startHaproxy({ backendPort: app.port, mode }));
      const { seen, localPort } = await ok(`${p.url}/x`);
      assert.is(seen.peer?.[0], '127.0.0.1');
      // (haproxy in mode tcp may also have opened an upstream connection for the harness's
      // readiness probe, so look the port up among all accepted connections)
      assert.ok(app.tcpPeerPorts.includes(seen.peer![1]), "peer: haproxy's own socket, the PROXY source is not adopted");
      assert.is.not(seen.peer![1], localPort, "not the client's port");
      assert.equal(seen.client, seen.peer);
      noErrors(app);
    }
  });
}

bounded('proxyProtocol: a connection without (or with a broken) PROXY header is closed without an answer', async (use) => {
  const app = await startApp(use, { proxyProtocol: true });
  const plain = await rawRequest(app.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { timeout: 3000 });
  assert.is(plain.data, '', 'no bytes answered to a plain HTTP request');
  assert.ok(plain.closed, 'connection closed');

  const broken = await rawRequest(app.port, 'PROXY TCP4 1.2.3 127.0.0.1 1 2\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n', { timeout: 3000 });
  assert.is(broken.data, '');
  assert.ok(broken.closed);

  const badV2 = Buffer.concat([Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1'), Buffer.from([0x21, 0x11, 0x00, 0x04, 1, 2, 3, 4]), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
  const truncated = await rawRequest(app.port, badV2, { timeout: 3000 });
  assert.is(truncated.data, '', 'TCP4 address block shorter than 12 bytes');
  assert.ok(truncated.closed);

  // and a well-formed v1 header from the (trusted, loopback) raw client is adopted
  const good = await rawRequest(app.port, 'PROXY TCP4 198.51.100.1 127.0.0.1 4711 80\r\nGET /p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', {
    timeout: 3000,
  });
  assert.ok(good.data.startsWith('HTTP/1.1 200 '), JSON.stringify(good.data.slice(0, 200)));
  const body = JSON.parse(good.data.slice(good.data.indexOf('\r\n\r\n') + 4)) as Seen;
  assert.equal(body.peer, ['198.51.100.1', 4711]);
  assert.equal(body.client, ['198.51.100.1', 4711]);
  assert.is(body.path, '/p');
  noErrors(app);
});

// ---------------------------------------------------------------------------
// 5. Caddy reverse_proxy

bounded('caddy reverse_proxy: client, X-Forwarded-Host → server, scheme http; spoofed headers replaced by caddy', async (use) => {
  if (!available('caddy', ['caddy'])) return;
  const app = await startApp(use, {});
  const p = await proxy(use, startCaddy({ backendPort: app.port }));

  const { seen } = await ok(`${p.url}/api/x?y=1`);
  assert.equal(lines(seen, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(lines(seen, 'x-forwarded-proto'), ['http']);
  assert.equal(lines(seen, 'x-forwarded-host'), [`127.0.0.1:${p.port}`]);
  assert.equal(seen.client, ['127.0.0.1', 0]);
  assert.is(seen.scheme, 'http');
  assert.equal(seen.server, ['127.0.0.1', p.port], 'from X-Forwarded-Host 127.0.0.1:<caddy port>');
  assert.is(seen.rootPath, '');
  assert.is(seen.path, '/api/x');
  assert.is(seen.queryString, 'y=1');
  assert.is(seen.peer?.[0], '127.0.0.1');

  // caddy does not trust the client, so it overwrites every X-Forwarded-* it sent: even
  // with loopback (and so the client) trusted by fasterapi, nothing spoofed gets through
  const spoofed = await ok(`${p.url}/s`, {
    headers: { 'X-Forwarded-For': SPOOF, 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example' },
  });
  assert.equal(lines(spoofed.seen, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(lines(spoofed.seen, 'x-forwarded-proto'), ['http']);
  assert.equal(lines(spoofed.seen, 'x-forwarded-host'), [`127.0.0.1:${p.port}`]);
  assert.equal(spoofed.seen.client, ['127.0.0.1', 0]);
  assert.is(spoofed.seen.scheme, 'http');
  assert.equal(spoofed.seen.server, ['127.0.0.1', p.port]);
  noErrors(app);
});

bounded('caddy reverse_proxy, only the caddy host trusted: client from 127.0.0.2 is 127.0.0.2', async (use) => {
  if (!available('caddy', ['caddy'])) return;
  const app = await startApp(use, { trustedProxies: ['127.0.0.1'] });
  const p = await proxy(use, startCaddy({ backendPort: app.port }));
  const { seen } = await ok(`${p.url}/who`, { localAddress: OTHER_LOOPBACK, headers: { 'X-Forwarded-For': SPOOF } });
  assert.equal(lines(seen, 'x-forwarded-for'), [OTHER_LOOPBACK]);
  assert.equal(seen.client, [OTHER_LOOPBACK, 0]);
  assert.equal(seen.server, ['127.0.0.1', p.port]);
  noErrors(app);
});

test.run();
