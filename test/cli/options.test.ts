// Spawn tests of the real CLI for the uvicorn options: TLS (openssl certificate, real
// curl), a unix socket behind real Nginx, --reload, --limit-max-requests under load,
// --env-file, --factory, --limit-concurrency, --timeout-keep-alive, FORWARDED_ALLOW_IPS=''
// and import errors naming file and line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdirSync, rmSync, utimesSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stripsTypes } from '../../src/cli/load.js';
import { get } from '../app/serve.js';
import { parseResponses } from '../helpers/raw.js';
import { makeTempDir, which } from '../proxies/harness.js';
import { assertOneLineError, runCli, runToExit, startCli, type Cli } from './spawn.js';

const SLOW = 'test/cli/fixtures/slow-app.ts';
let dir = '';

/** An ASGI app with no imports, answering `body` (a JS expression) as text. */
function asgiApp(body: string): string {
  return `export default async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: Buffer.from(String(${body})) });
};
`;
}

async function stop(cli: Cli): Promise<number | string> {
  cli.child.kill('SIGTERM');
  try {
    return await cli.exited(8000);
  } finally {
    cli.kill();
  }
}

test.before(async () => {
  dir = await makeTempDir('cli-options');
});

test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('--ssl-keyfile/--ssl-certfile/--ssl-keyfile-password: HTTPS through node:tls, scheme https from the socket, checked by curl --cacert', async () => {
  const key = join(dir, 'key.pem');
  const enc = join(dir, 'key.enc.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '2'],
    { encoding: 'utf8' },
  );
  assert.is(made.status, 0, made.stderr);
  const encd = spawnSync('openssl', ['pkey', '-in', key, '-aes256', '-passout', 'pass:s3cret', '-out', enc], { encoding: 'utf8' });
  assert.is(encd.status, 0, encd.stderr);
  const { cli, url, port } = await startCli([SLOW, '--port', '0', '--ssl-keyfile', enc, '--ssl-certfile', cert, '--ssl-keyfile-password', 's3cret']);
  try {
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(cli.stderr(), /TLS on/);
    const r = spawnSync('curl', ['-sS', '--max-time', '5', '--cacert', cert, '-H', 'x-forwarded-proto: http', `https://localhost:${port}/whoami`], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const who = JSON.parse(r.stdout) as { scheme: string; client: string; href: string };
    // X-Forwarded-Proto from a trusted (loopback) peer is read: 'http' wins only because it is trusted.
    assert.is(who.client, '127.0.0.1');
    const plain = spawnSync('curl', ['-sS', '--max-time', '5', '--cacert', cert, `https://localhost:${port}/whoami`], { encoding: 'utf8' });
    assert.is((JSON.parse(plain.stdout) as { scheme: string }).scheme, 'https');
    assert.match((JSON.parse(plain.stdout) as { href: string }).href, /^https:\/\/localhost:\d+\/whoami$/);
    // Plain HTTP to the TLS port gets no HTTP answer.
    const wrong = spawnSync('curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${port}/whoami`], { encoding: 'utf8' });
    assert.is.not(wrong.status, 0);
  } finally {
    assert.is(await stop(cli), 0);
  }
  assertOneLineError(await runToExit([SLOW, '--port', '0', '--ssl-keyfile', enc, '--ssl-certfile', cert, '--ssl-keyfile-password', 'wrong']), /invalid server options: /);
  assertOneLineError(await runToExit([SLOW, '--port', '0', '--ssl-keyfile', join(dir, 'none.pem'), '--ssl-certfile', cert]), /--ssl-keyfile .*none\.pem: ENOENT/);
  assertOneLineError(await runToExit([SLOW, '--ssl-certfile', cert]), /--ssl-keyfile and --ssl-certfile go together/);
});

/** Nginx in front of a unix socket, as on one host in production. */
async function startNginx(sock: string): Promise<{ port: number; child: ChildProcess; log: () => string }> {
  const bin = which('nginx');
  if (bin === null) throw new Error('nginx is not installed (.ci/run installs nginx-light)');
  const n = join(dir, 'nginx');
  mkdirSync(n, { recursive: true });
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  writeFileSync(
    join(n, 'nginx.conf'),
    `${asRoot ? 'user root;\n' : ''}worker_processes 1;
pid ${n}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${n}/cb; proxy_temp_path ${n}/px; fastcgi_temp_path ${n}/fc; uwsgi_temp_path ${n}/uw; scgi_temp_path ${n}/sc;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://unix:${sock}:;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
`,
  );
  let log = '';
  const child = spawn(bin, ['-p', `${n}/`, '-c', join(n, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log += d));
  child.stderr!.on('data', (d: Buffer) => (log += d));
  const deadline = Date.now() + 5000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, child, log: () => log };
}

test("--uds behind Nginx proxy_pass http://unix:…: a unix peer trusted only with 'unix' in --forwarded-allow-ips; a stale socket is replaced, a live one or a file is not", async () => {
  const sock = join(dir, 'app.sock');
  const nginx = await startNginx(sock);
  const startUds = async (args: string[]): Promise<Cli> => {
    const cli = runCli([SLOW, '--uds', sock, ...args]);
    await cli.waitFor(/running on unix:\S+app\.sock/, 8000);
    return cli;
  };
  const via = async (): Promise<{ client: string | null; scheme: string }> => {
    const res = await get(nginx.port, '/whoami', ['host: app.test', 'x-forwarded-for: 203.0.113.66']);
    assert.is(res.status, 200, nginx.log());
    return JSON.parse(res.body) as { client: string | null; scheme: string };
  };
  try {
    const untrusting = await startUds([]);
    // Default (loopback): a unix-socket peer has no address and is not trusted.
    assert.equal(await via(), { ...(await via()), client: null, scheme: 'http' });
    untrusting.child.kill('SIGKILL'); // leaves the socket file behind
    await untrusting.exited();
    const trusting = await startUds(['--forwarded-allow-ips', 'unix']);
    try {
      // Nginx appended the address it saw (127.0.0.1) to the client's forged item: that
      // is the client, as nobody but the unix peer is trusted.
      const who = await via();
      assert.is(who.client, '127.0.0.1');
      assert.is(who.scheme, 'https');
      assert.match(trusting.stderr(), /trusted proxies: unix/);
      assertOneLineError(await runToExit([SLOW, '--uds', sock]), /cannot listen on unix socket .*: a server is already listening/);
    } finally {
      assert.is(await stop(trusting), 0);
    }
    writeFileSync(join(dir, 'plain-file'), 'keep me');
    assertOneLineError(await runToExit([SLOW, '--uds', join(dir, 'plain-file')]), /exists and is not a socket/);
  } finally {
    nginx.child.kill('SIGTERM');
  }
});

test('--reload: an edit is served within 2 s, from a new worker on the same port', async () => {
  const app = join(dir, 'reload-app.mjs');
  writeFileSync(app, asgiApp("'v1 ' + process.pid"));
  const { cli, port } = await startCli([app, '--port', '0', '--reload']);
  try {
    const first = await get(port, '/');
    assert.match(first.body, /^v1 \d+$/);
    await cli.waitFor(/--reload: watching/);
    writeFileSync(app, asgiApp("'v2 ' + process.pid"));
    const edited = Date.now();
    let body = '';
    while (Date.now() - edited < 2000) {
      body = (await get(port, '/')).body;
      if (body.startsWith('v2')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(body, /^v2 \d+$/, `not reloaded within 2 s:\n${cli.stderr()}`);
    assert.is.not(body.slice(3), first.body.slice(3), 'another process');
  } finally {
    assert.is(await stop(cli), 0);
  }
  assertOneLineError(await runToExit([app, '--reload', '--workers', '2']), /--reload cannot be used with --workers > 1/);
});

test('--limit-max-requests: the worker is replaced under load and no request is lost', async () => {
  const { cli, port } = await startCli([SLOW, '--port', '0', '--limit-max-requests', '100', '--no-access-log']);
  const pids = new Set<number>();
  let ok = 0;
  const failures: string[] = [];
  try {
    // Steady load until a replacement has served for 500 ms (at most 15 s: a loaded machine boots slowly).
    const deadline = Date.now() + 15_000;
    let replacedAt = 0;
    const going = (): boolean => {
      if (replacedAt === 0 && /INFO worker \d+ replaced \d+/.test(cli.stderr())) replacedAt = Date.now();
      return Date.now() < deadline && (replacedAt === 0 || Date.now() < replacedAt + 500);
    };
    const loop = async (): Promise<void> => {
      for (let i = 0; i < 5000 && going(); i++) {
        try {
          const res = await get(port, '/whoami', ['host: a.test'], { timeout: 3000 });
          if (res.status === 200) {
            ok++;
            pids.add((JSON.parse(res.body) as { pid: number }).pid);
          } else failures.push(String(res.status));
        } catch (err) {
          failures.push((err as Error).message);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await Promise.all([loop(), loop(), loop(), loop()]);
    assert.equal(failures, [], cli.stderr());
    assert.ok(ok > 100, `${ok} requests`);
    assert.ok(pids.size >= 2, `served by ${pids.size} workers:\n${cli.stderr()}`);
    assert.match(cli.stderr(), /reached --limit-max-requests 100: replacing it\n(.*\n)*INFO worker \d+ replaced \d+/);
  } finally {
    assert.is(await stop(cli), 0);
  }
});

test('--env-file: its variables reach the app; variables already set win', async () => {
  const app = join(dir, 'env-app.mjs');
  writeFileSync(app, asgiApp("process.env.GREETING + ' ' + process.env.KEPT"));
  writeFileSync(join(dir, 'app.env'), '# comment\nGREETING="hello from the file"\nKEPT=file\n');
  const { cli, port } = await startCli([app, '--port', '0', '--env-file', join(dir, 'app.env')], { env: { KEPT: 'process' } });
  try {
    assert.is((await get(port, '/')).body, 'hello from the file process');
  } finally {
    await stop(cli);
  }
  // Through the variable: Node.js 20 itself reads a missing --env-file anywhere in argv (exit 9).
  assertOneLineError(await runToExit([app], { env: { FASTERAPI_ENV_FILE: join(dir, 'missing.env') } }), /--env-file .*missing\.env: ENOENT/);
});

test('--factory: MODULE:EXPORT is called and awaited; --app-dir finds the module', async () => {
  mkdirSync(join(dir, 'pkg'), { recursive: true });
  writeFileSync(
    join(dir, 'pkg', 'factory.mjs'),
    `export async function createApp() {\n  await new Promise((r) => setTimeout(r, 10));\n  return (${asgiApp("'made by the factory'").replace('export default ', '').trim().replace(/;$/, '')});\n}\n`,
  );
  const { cli, port } = await startCli(['factory.mjs:createApp', '--factory', '--app-dir', join(dir, 'pkg'), '--port', '0']);
  try {
    assert.is((await get(port, '/')).body, 'made by the factory');
  } finally {
    await stop(cli);
  }
  writeFileSync(join(dir, 'pkg', 'notfn.mjs'), 'export const app = 1;\n');
  assertOneLineError(await runToExit(['notfn.mjs:app', '--factory', '--app-dir', join(dir, 'pkg')]), /--factory: export 'app' of notfn\.mjs is not a function/);
});

test('import errors name the file, line and column in the user code, with the message', async () => {
  mkdirSync(join(dir, 'deep'), { recursive: true });
  writeFileSync(join(dir, 'usesdeep.mjs'), "import { x } from './deep/lib.mjs';\nexport default x;\n");
  writeFileSync(join(dir, 'deep', 'lib.mjs'), 'export const x = 1;\nconst y = ;\n');
  writeFileSync(join(dir, 'usesthrow.mjs'), "import './deep/thrower.mjs';\nexport default 1;\n");
  writeFileSync(join(dir, 'deep', 'thrower.mjs'), 'const a = 1;\nnull.foo;\n');
  const o = { cwd: dir };
  assertOneLineError(await runToExit(['usesdeep.mjs'], o), /failed to load usesdeep\.mjs: deep\/lib\.mjs:2:\d+: SyntaxError: Unexpected token ';'$/);
  assertOneLineError(await runToExit(['usesthrow.mjs'], o), /failed to load usesthrow\.mjs: deep\/thrower\.mjs:2:\d+: TypeError: Cannot read properties of null/);
});

test('TypeScript: the named .ts runs where Node strips types, never a stale twin; elsewhere one line saying what to do', async () => {
  const ts = join(dir, 'ts');
  mkdirSync(join(ts, 'src'), { recursive: true });
  mkdirSync(join(ts, 'dist'), { recursive: true });
  writeFileSync(join(ts, 'src', 'main.ts'), asgiApp("'from ts' as string"));
  // A stale twin: older than the source.
  writeFileSync(join(ts, 'dist', 'main.js'), asgiApp("'stale js'"));
  const old = new Date(Date.now() - 60_000);
  utimesSync(join(ts, 'dist', 'main.js'), old, old);
  if (stripsTypes()) {
    const { cli, port } = await startCli(['src/main.ts', '--port', '0'], { cwd: ts });
    try {
      assert.is((await get(port, '/')).body, 'from ts');
    } finally {
      await stop(cli);
    }
  } else {
    assertOneLineError(await runToExit(['src/main.ts'], { cwd: ts }), /dist\/main\.js is older than src\/main\.ts: rebuild it \(npx tsc\)/);
    rmSync(join(ts, 'dist', 'main.js'));
    assertOneLineError(
      await runToExit(['src/main.ts'], { cwd: ts }),
      /cannot run TypeScript \(src\/main\.ts\): compile it \(npx tsc\) and name the \.js file, or use Node\.js >= 22\.18/,
    );
  }
  // A fresh build in the rootDir src / outDir dist layout is found from the .ts name.
  writeFileSync(join(ts, 'dist', 'main.js'), asgiApp("'built js'"));
  const { cli, port } = await startCli(['src/main.ts', '--port', '0'], { cwd: ts });
  try {
    assert.is((await get(port, '/')).body, 'built js');
  } finally {
    await stop(cli);
  }
});

test('--fd: serves an inherited listening socket (systemd socket activation)', async () => {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as net.AddressInfo).port;
  const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
  const cli = runCli([SLOW, '--fd', '3'], { fds: [fd] });
  try {
    await cli.waitFor(/running on http:\/\/127\.0\.0\.1:(\d+)/);
    await new Promise((r) => listener.close(r)); // the child holds its own copy
    assert.match(cli.stderr(), new RegExp(`running on http://127\\.0\\.0\\.1:${port} `));
    assert.is((await get(port, '/')).body, 'ok');
  } finally {
    listener.close();
    await stop(cli);
  }
});

test('--limit-concurrency: a connection past the limit is answered 503', async () => {
  const { cli, port } = await startCli([SLOW, '--port', '0', '--limit-concurrency', '1']);
  const held = net.connect(port, '127.0.0.1');
  try {
    await new Promise((r) => held.once('connect', r));
    await new Promise((r) => setTimeout(r, 100)); // accepted by the server
    assert.is((await get(port, '/')).status, 503);
  } finally {
    held.destroy();
    await stop(cli);
  }
});

test('--timeout-keep-alive: an idle keep-alive connection is closed after that many seconds', async () => {
  const { cli, port } = await startCli([SLOW, '--port', '0', '--timeout-keep-alive', '1']);
  try {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString('latin1')));
    s.write('GET / HTTP/1.1\r\nhost: a.test\r\n\r\n');
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not closed within 4 s')), 4000);
      s.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const idle = Date.now() - t0;
    assert.is(parseResponses(data)[0]?.status, 200);
    assert.ok(idle >= 900 && idle < 3500, `closed after ${idle} ms`);
  } finally {
    await stop(cli);
  }
});

test("FORWARDED_ALLOW_IPS='' trusts nobody, as --forwarded-allow-ips '' does; a bad value names the flag or variable", async () => {
  const cases: { args: string[]; env: Record<string, string> }[] = [
    { args: ['--forwarded-allow-ips', ''], env: {} },
    { args: [], env: { FORWARDED_ALLOW_IPS: '' } },
  ];
  for (const o of cases) {
    const { cli, port } = await startCli([SLOW, '--port', '0', ...o.args], { env: o.env });
    try {
      const who = JSON.parse((await get(port, '/whoami', ['host: a.test', 'x-forwarded-for: 203.0.113.9'])).body) as { client: string };
      assert.is(who.client, '127.0.0.1', JSON.stringify(o));
      assert.match(cli.stderr(), /trusted proxies: nothing/);
    } finally {
      await stop(cli);
    }
  }
  assertOneLineError(await runToExit([SLOW, '--forwarded-allow-ips', 'proxy.internal']), /invalid --forwarded-allow-ips proxy\.internal: .*"proxy\.internal" is not valid/);
  assertOneLineError(await runToExit([SLOW], { env: { FORWARDED_ALLOW_IPS: '10.0.0.300' } }), /invalid FORWARDED_ALLOW_IPS=10\.0\.0\.300/);
});

test.run();

test("--single-threaded-gc: workers get the flag when asked, or (auto) when there are at least as many workers as CPUs; --no-single-threaded-gc keeps V8's helper threads", async () => {
  const auto = 2 >= availableParallelism();
  for (const [flag, expected] of [
    ['--single-threaded-gc', true],
    ['--no-single-threaded-gc', false],
    [null, auto],
  ] as const) {
    const { cli, port } = await startCli([SLOW, '--port', '0', '--workers', '2', '--no-access-log', ...(flag === null ? [] : [flag])]);
    try {
      const res = await get(port, '/whoami', ['host: a.test'], { timeout: 5000 });
      assert.is(res.status, 200);
      const { execArgv } = JSON.parse(res.body) as { execArgv: string[] };
      assert.is(execArgv.includes('--single-threaded-gc'), expected, `${flag ?? 'auto'} with ${availableParallelism()} CPUs: ${execArgv.join(' ')}`);
    } finally {
      assert.is(await stop(cli), 0);
    }
  }
});
