import { once } from 'node:events';
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../src/cli/main.js';
import { parseResponses, rawRequest } from '../helpers/raw.js';
import { get } from '../app/serve.js';
import { assertOneLineError, runCli, runToExit, startCli, type Cli } from './spawn.js';

const SLOW = 'test/cli/fixtures/slow-app.ts'; // resolved to dist/test/cli/fixtures/slow-app.js

async function stop(cli: Cli, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  cli.child.kill(signal);
  try {
    return await cli.exited(5000);
  } finally {
    cli.kill();
  }
}

test('fasterapi --help: usage on stdout, exit 0', async () => {
  const r = await runToExit(['--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^Usage: fasterapi MODULE\[:EXPORT\]/);
  for (const flag of ['--host', '--port', '--root-path', '--forwarded-allow-ips', '--proxy-headers', '--no-proxy-headers', '--proxy-protocol', '--workers', '--log-level']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.is(r.stderr, '');
});

test('fasterapi: bad flags, missing file or export, a module that fails: one line, exit 2', async () => {
  assertOneLineError(await runToExit(['examples/hello.js', '--bogus']), /unknown option '--bogus'/);
  assertOneLineError(await runToExit(['examples/hello.js', '--port', 'eighty']), /invalid --port eighty/);
  assertOneLineError(await runToExit([]), /missing the app module/);
  assertOneLineError(await runToExit(['does/not/exist.js']), /cannot find module 'does\/not\/exist.js'/);
  assertOneLineError(await runToExit(['examples/hello.js:nope']), /has no export 'nope' \(it exports: default\)/);
  assertOneLineError(await runToExit(['test/cli/fixtures/asgi-app.ts']), /has no default export; name one as .*:NAME \(it exports: handler\)/);
  assertOneLineError(await runToExit(['test/cli/fixtures/not-app.ts']), /export 'default' of .* is not an app/);
  assertOneLineError(await runToExit(['test/cli/fixtures/throws.ts']), /failed to load .*throws.js: dist\/test\/cli\/fixtures\/throws.js:\d+:\d+: Error: boom at import$/);
  assertOneLineError(await runToExit([SLOW, '--forwarded-allow-ips', 'not-an-ip']), /not-an-ip/);
  assertOneLineError(await runToExit([SLOW], { env: { FASTERAPI_LOG_LEVEL: 'chatty' } }), /FASTERAPI_LOG_LEVEL=chatty/);
  assertOneLineError(await runToExit([SLOW, '--proxy', 'apache']), /invalid --proxy apache: proxy must be one of nginx, haproxy, caddy, traefik, aws-alb/);
  assertOneLineError(await runToExit([SLOW, '--forwarded-headers', 'auto']), /invalid --forwarded-headers auto: .*'auto' was removed/);
  assertOneLineError(await runToExit([SLOW, '--forwarded-headers', 'x-forwarded-for,forwarded']), /one client-address header/);
  assertOneLineError(await runToExit([SLOW, '--forwarded-host']), /option '--forwarded-host' was removed: add x-forwarded-host/);
  assertOneLineError(await runToExit([SLOW, '--real-ip-header']), /option '--real-ip-header' was removed/);
});

test('fasterapi: a port in use is one line and exit 2 (also with --workers)', async () => {
  const blocker = net.createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    assertOneLineError(await runToExit([SLOW, '--port', String(port)]), new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    assertOneLineError(await runToExit([SLOW, '--port', String(port), '--workers', '2']), /already in use/);
  } finally {
    blocker.close();
  }
});

test('fasterapi MODULE: serves the default export, prints the URL, SIGTERM lets in-flight requests finish', async () => {
  const { cli, port, url } = await startCli([SLOW, '--port', '0']);
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(
      cli.stderr(),
      /INFO fasterapi running on http:\/\/127\.0\.0\.1:\d+ \(app from dist\/test\/cli\/fixtures\/slow-app\.js; trusted proxies: loopback; root path: none; proxy preset: none; TLS off; press CTRL\+C to quit\)/,
    );
    assert.is((await get(port, '/')).body, 'ok');
    assert.not.match(cli.stderr(), /DEBUG/, 'no access log at info');
    const slow = rawRequest(port, 'GET /slow HTTP/1.1\r\nhost: x\r\n\r\n', { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 100));
    cli.child.kill('SIGTERM');
    const res = await slow;
    const [r] = parseResponses(res.data);
    assert.is(r?.status, 200);
    assert.is(r?.body, 'slow done');
    assert.is(await cli.exited(5000), 0);
    assert.match(cli.stderr(), /shutting down/);
  } finally {
    cli.kill();
  }
});

test('fasterapi: SIGINT stops too; a second signal exits at once with 1', async () => {
  const a = await startCli([SLOW, '--port', '0']);
  assert.is(await stop(a.cli, 'SIGINT'), 0);
  const b = await startCli([SLOW, '--port', '0']);
  try {
    const slow = rawRequest(b.port, 'GET /slow HTTP/1.1\r\nhost: x\r\n\r\n', { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 50));
    b.cli.child.kill('SIGTERM');
    await b.cli.waitFor(/shutting down/);
    b.cli.child.kill('SIGTERM');
    assert.is(await b.cli.exited(3000), 1);
    await slow;
  } finally {
    b.cli.kill();
  }
});

test('fasterapi access log: on by default at info (uvicorn format + duration), JSON with --log-format json, off with --no-access-log', async () => {
  const text = await startCli([SLOW, '--port', '0']);
  try {
    await get(text.port, '/whoami?x=1', ['host: a.test', 'x-forwarded-for: 203.0.113.9']);
    await get(text.port, '/missing');
    await text.cli.waitFor(/GET \/missing HTTP\/1\.1" 404/);
    assert.match(text.cli.stderr(), /\nINFO 203\.0\.113\.9:\d+ - "GET \/whoami\?x=1 HTTP\/1\.1" 200 OK \d+(\.\d+)?ms\n/);
    assert.match(text.cli.stderr(), /\nINFO 127\.0\.0\.1:\d+ - "GET \/missing HTTP\/1\.1" 404 Not Found \d+(\.\d+)?ms\n/);
  } finally {
    await stop(text.cli);
  }
  const { cli, port } = await startCli([SLOW, '--port', '0', '--log-format', 'json']);
  try {
    await cli.waitFor(/"message":"fasterapi running on http:\/\/127\.0\.0\.1:\d+/);
    await get(port, '/whoami');
    const line = await cli.waitFor(/\{[^\n]*"logger":"access"[^\n]*\}\n/);
    const rec = JSON.parse(line[0]) as Record<string, unknown>;
    assert.equal([rec.level, rec.method, rec.path, rec.http_version, rec.status], ['info', 'GET', '/whoami', '1.1', 200]);
    assert.match(String(rec.client), /^127\.0\.0\.1:\d+$/);
    assert.type(rec.duration_ms, 'number');
    for (const l of cli.stderr().trim().split('\n')) JSON.parse(l); // every line is JSON
  } finally {
    await stop(cli);
  }
  const quiet = await startCli([SLOW, '--port', '0', '--no-access-log']);
  try {
    await get(quiet.port, '/whoami');
    await get(quiet.port, '/missing');
    await new Promise((r) => setTimeout(r, 100));
    assert.not.match(quiet.cli.stderr(), /GET \//);
  } finally {
    await stop(quiet.cli);
  }
});

test('fasterapi: trust flags reach the trust stage (--forwarded-allow-ips, --no-proxy-headers, --root-path, --proxy, --forwarded-headers)', async () => {
  const headers = ['host: api.example.com', 'x-forwarded-for: 203.0.113.9', 'x-forwarded-proto: https'];
  const who = async (args: string[], env: Record<string, string> = {}) => {
    const { cli, port } = await startCli([SLOW, '--port', '0', ...args], { env });
    try {
      return JSON.parse((await get(port, '/whoami', headers)).body) as { client: string; scheme: string; rootPath: string; href: string };
    } finally {
      await stop(cli);
    }
  };
  const trusted = await who([]); // default: loopback is trusted
  assert.is(trusted.client, '203.0.113.9');
  assert.is(trusted.scheme, 'https');
  const untrusted = await who(['--forwarded-allow-ips', '10.0.0.0/8']);
  assert.is(untrusted.client, '127.0.0.1');
  assert.is(untrusted.scheme, 'http');
  const envUntrusted = await who([], { FORWARDED_ALLOW_IPS: '192.0.2.1' });
  assert.is(envUntrusted.client, '127.0.0.1');
  const off = await who(['--no-proxy-headers']);
  assert.is(off.client, '127.0.0.1');
  const root = await who(['--root-path', '/api/v1']);
  assert.is(root.rootPath, '/api/v1');
  assert.is(root.href, 'https://api.example.com/api/v1/whoami');
  const envRoot = await who([], { FASTERAPI_ROOT_PATH: '/env' });
  assert.is(envRoot.rootPath, '/env');
  // X-Forwarded-Host counts only when read: listed, or by a preset whose proxy overwrites it.
  headers.push('x-forwarded-host: public.example.com', 'forwarded: for=198.51.100.66;proto=http', 'x-forwarded-prefix: /evil');
  const plain = await who([]);
  assert.is(plain.href, 'https://api.example.com/whoami', 'default: X-Forwarded-Host, Forwarded and X-Forwarded-Prefix are not read');
  assert.is(plain.client, '203.0.113.9');
  assert.is(plain.rootPath, '');
  assert.is((await who(['--proxy', 'nginx'])).href, 'https://api.example.com/whoami');
  assert.is((await who(['--proxy', 'caddy'])).href, 'https://public.example.com/whoami');
  assert.is((await who([], { FASTERAPI_PROXY: 'caddy' })).href, 'https://public.example.com/whoami');
  const listed = await who(['--forwarded-headers', 'forwarded,x-forwarded-prefix']);
  assert.equal([listed.client, listed.scheme, listed.rootPath], ['198.51.100.66', 'http', '/evil'], 'what is listed is read');
  assert.is((await who(['--forwarded-headers', 'x-forwarded-host'])).href, 'http://public.example.com/whoami');
});

test('fasterapi --proxy-protocol: the client comes from the PROXY header', async () => {
  const { cli, port } = await startCli([SLOW, '--port', '0', '--proxy-protocol']);
  try {
    const { data } = await rawRequest(port, 'PROXY TCP4 198.51.100.4 127.0.0.1 40000 80\r\nGET /whoami HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', { timeout: 2000 });
    assert.is(JSON.parse(parseResponses(data)[0].body).client, '198.51.100.4');
    const bare = await rawRequest(port, 'GET /whoami HTTP/1.1\r\nhost: x\r\n\r\n', { timeout: 1000 });
    assert.is(bare.data, '', 'no PROXY header: closed without an answer');
  } finally {
    await stop(cli);
  }
});

test('fasterapi MODULE:EXPORT, env FASTERAPI_APP/FASTERAPI_PORT/FASTERAPI_HOST, ASGI and fetch-style exports', async () => {
  const asgi = await startCli(['test/cli/fixtures/asgi-app.ts:handler', '--port', '0']);
  try {
    assert.match(asgi.cli.stderr(), /asgi app from/);
    assert.is((await get(asgi.port, '/p')).body, 'asgi /p');
  } finally {
    await stop(asgi.cli);
  }
  const fetchApp = await startCli([], { env: { FASTERAPI_APP: 'test/cli/fixtures/fetch-app.ts', FASTERAPI_PORT: '0', FASTERAPI_HOST: '127.0.0.1' } });
  try {
    assert.match(fetchApp.cli.stderr(), /fetch app from/);
    assert.is((await get(fetchApp.port, '/hello')).body, 'fetch /hello');
  } finally {
    await stop(fetchApp.cli);
  }
  const named = await startCli([`${SLOW}:app`, '--port', '0']);
  try {
    assert.is((await get(named.port, '/')).body, 'ok');
  } finally {
    await stop(named.cli);
  }
});

test('fasterapi --workers 2: one start-up line, requests served by both workers, SIGTERM stops all', async () => {
  const { cli, port } = await startCli([SLOW, '--port', '0', '--workers', '2'], {});
  try {
    assert.match(cli.stderr(), /running on http:\/\/127\.0\.0\.1:\d+ with 2 workers/);
    assert.is((cli.stderr().match(/running on/g) ?? []).length, 1);
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add(JSON.parse((await get(port, '/whoami')).body).pid);
    assert.is(pids.size, 2, 'both workers answered');
    assert.ok(!pids.has(cli.child.pid!), 'the primary does not serve');
    const slow = rawRequest(port, 'GET /slow HTTP/1.1\r\nhost: x\r\n\r\n', { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 100));
    assert.is(await stop(cli), 0);
    assert.is(parseResponses((await slow).data)[0]?.body, 'slow done');
    for (const pid of pids) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      assert.not.ok(alive, `worker ${pid} is gone`);
    }
  } finally {
    cli.kill();
  }
});

test('main(): callable in-process, resolves with the exit code', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (a: string[]) => ({ write: (s: string) => a.push(s) });
  assert.is(await main({ args: ['--help'], stdout: sink(out), stderr: sink(err) }), 0);
  assert.match(out.join(''), /Usage/);
  assert.is(await main({ args: ['--nope'], stdout: sink(out), stderr: sink(err), env: {} }), 2);
  assert.match(err.join(''), /unknown option '--nope'/);

  const stopper = new AbortController();
  let url = '';
  const running = main({
    args: ['test/cli/fixtures/slow-app.ts', '--port', '0'],
    env: {},
    stdout: sink(out),
    stderr: sink(err),
    handleSignals: false,
    signal: stopper.signal,
    onListening: (info) => {
      url = info.url;
      void get(Number(new URL(url).port), '/').then((r) => {
        assert.is(r.body, 'ok');
        stopper.abort();
      });
    },
  });
  assert.is(await running, 0);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('bin/fasterapi.js examples/hello.js (the npm start command) serves the compiled example', async () => {
  const cli = runCli(['examples/hello.js', '--port', '0']);
  try {
    const m = await cli.waitFor(/running on (http:\/\/\S+)/, 8000);
    const port = Number(new URL(m[1]).port);
    assert.is((await get(port, '/')).body, '{"message":"Hello, World!"}');
  } finally {
    await stop(cli);
  }
});

test.run();
