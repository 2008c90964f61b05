import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { FLAGS, NOT_SUPPORTED, UsageError, parseArgs } from '../../src/cli/args.js';
import { resolveModuleFile, splitSpec } from '../../src/cli/load.js';
import { usage } from '../../src/cli/usage.js';
import { ROOT } from './spawn.js';

test('parseArgs: defaults', () => {
  const c = parseArgs(['main.js']);
  assert.is(c.app, 'main.js');
  assert.is(c.host, '127.0.0.1');
  assert.is(c.port, 8000);
  assert.is(c.workers, 1);
  assert.is(c.logLevel, 'info');
  assert.is(c.rootPath, undefined);
  assert.is(c.trustedProxies, undefined);
  assert.is(c.proxyHeaders, undefined);
  assert.is(c.proxyProtocol, undefined);
  assert.is(c.gracefulTimeout, null);
  assert.equal([c.accessLog, c.logFormat, c.backlog, c.uds, c.fd, c.reload, c.factory, c.interface, c.lifespan], [true, 'text', 2048, null, null, false, false, 'auto', 'auto']);
});

test('parseArgs: every flag, both --flag value and --flag=value', () => {
  const c = parseArgs([
    'main.js:app',
    '--host',
    '0.0.0.0',
    '--port=9000',
    '--root-path',
    '/api/v1/',
    '--forwarded-allow-ips',
    '10.0.0.0/8, 127.0.0.1',
    '--no-proxy-headers',
    '--proxy-protocol',
    '--workers',
    '4',
    '--log-level=warning',
    '--timeout-graceful-shutdown',
    '2.5',
  ]);
  assert.is(c.app, 'main.js:app');
  assert.is(c.host, '0.0.0.0');
  assert.is(c.port, 9000);
  assert.is(c.rootPath, '/api/v1');
  assert.equal(c.trustedProxies, ['10.0.0.0/8', '127.0.0.1']);
  assert.is(c.proxyHeaders, false);
  assert.is(c.proxyProtocol, true);
  assert.is(c.workers, 4);
  assert.is(c.logLevel, 'warn');
  assert.is(c.gracefulTimeout, 2.5);
  assert.is(parseArgs(['m.js', '--forwarded-allow-ips', '2']).trustedProxies, 2);
  assert.is(parseArgs(['m.js', '--forwarded-allow-ips', '*']).trustedProxies?.toString(), '*');
  assert.is(parseArgs(['m.js', '--proxy-headers']).proxyHeaders, true);
  const t = parseArgs(['m.js', '--proxy', 'caddy', '--forwarded-headers', 'X-Forwarded-For, x-forwarded-host']);
  assert.equal([t.proxy, t.forwardedHeaders], ['caddy', ['x-forwarded-for', 'x-forwarded-host']]);
  const n = parseArgs(['m.js', '--forwarded-headers', 'x-real-ip'], { FASTERAPI_PROXY: 'nginx', FASTERAPI_FORWARDED_HEADERS: 'forwarded' });
  assert.equal([n.proxy, n.forwardedHeaders], ['nginx', ['x-real-ip']]);
  assert.equal(parseArgs(['m.js', '--forwarded-headers', '']).forwardedHeaders, []);
  assert.is(parseArgs(['m.js', '--root-path', '/']).rootPath, '');
});

test('parseArgs: environment variables, overridden by flags', () => {
  const env = {
    FASTERAPI_HOST: '::',
    FASTERAPI_PORT: '0',
    FASTERAPI_ROOT_PATH: '/x',
    FORWARDED_ALLOW_IPS: '10.1.2.3',
    FASTERAPI_PROXY_HEADERS: 'false',
    FASTERAPI_PROXY_PROTOCOL: '1',
    FASTERAPI_WORKERS: '3',
    FASTERAPI_LOG_LEVEL: 'debug',
    FASTERAPI_APP: 'env.js',
    FASTERAPI_TIMEOUT_GRACEFUL_SHUTDOWN: '1',
  };
  const c = parseArgs([], env);
  assert.equal(
    [c.app, c.host, c.port, c.rootPath, c.trustedProxies, c.proxyHeaders, c.proxyProtocol, c.workers, c.logLevel, c.gracefulTimeout],
    ['env.js', '::', 0, '/x', ['10.1.2.3'], false, true, 3, 'debug', 1],
  );
  const f = parseArgs(['cli.js', '--port', '1234', '--proxy-headers', '--forwarded-allow-ips', '*'], env);
  assert.is(f.app, 'cli.js');
  assert.is(f.port, 1234);
  assert.is(f.proxyHeaders, true);
  assert.is(parseArgs([], { WEB_CONCURRENCY: '2' }).workers, 2);
  assert.equal(parseArgs([], { FASTERAPI_FORWARDED_ALLOW_IPS: '10.0.0.1' }).trustedProxies, ['10.0.0.1']);
});

test('parseArgs: every flag has an environment variable (except --help, --version and the repeatable --header)', () => {
  for (const f of FLAGS) if (f.key !== 'help' && f.key !== 'version' && f.key !== 'headers') assert.ok(f.env.length > 0, f.flag);
  assert.ok(FLAGS.find((f) => f.flag === '--forwarded-allow-ips')!.env.includes('FORWARDED_ALLOW_IPS'), "uvicorn's name");
});

test('parseArgs: mistakes are UsageErrors with a clear message', () => {
  const cases: [string[], RegExp][] = [
    [['m.js', '--bogus'], /unknown option '--bogus'/],
    [['m.js', '--port'], /needs a value/],
    [['m.js', '--port', 'http'], /invalid --port http/],
    [['m.js', '--port', '65536'], /0-65535/],
    [['m.js', '--port', '-1'], /invalid --port -1|unknown option/],
    [['m.js', '--workers', '0'], /invalid --workers 0/],
    [['m.js', '--log-level', 'loud'], /invalid --log-level loud/],
    [['m.js', '--root-path', 'api'], /invalid --root-path api/],
    [['m.js', '--root-path', '/a/../b'], /invalid --root-path/],
    [['m.js', '--forwarded-allow-ips', '10.0.0.1,2'], /hop count/],
    [['m.js', '--proxy-headers=yes'], /takes no value/],
    [['a.js', 'b.js'], /unexpected argument 'b.js'/],
    [['m.js', '--timeout-graceful-shutdown', 'soon'], /seconds/],
    [['m.js', '--forwarded-headers', 'both'], /invalid --forwarded-headers both/],
  ];
  for (const [args, re] of cases) {
    assert.throws(
      () => parseArgs(args),
      (e: unknown) => e instanceof UsageError && re.test((e as Error).message),
      args.join(' '),
    );
  }
  assert.throws(() => parseArgs([], { FASTERAPI_PROXY_HEADERS: 'maybe' }), /FASTERAPI_PROXY_HEADERS=maybe/);
  assert.throws(() => parseArgs([], { FASTERAPI_PORT: 'x' }), /FASTERAPI_PORT=x/);
});

test('usage: lists every flag and its environment variables', () => {
  const text = usage();
  for (const f of FLAGS) {
    assert.ok(text.includes(f.flag), f.flag);
    if (f.negation) assert.ok(text.includes(f.negation), f.negation);
    for (const e of f.env) assert.ok(text.includes(e), e);
  }
  assert.match(text, /dist\//, 'documents the compiled-twin lookup');
});

test('docs/cli.md and --help: every flag, its variables and its uvicorn equivalent; the uvicorn options not supported', () => {
  const doc = readFileSync(`${ROOT}docs/cli.md`, 'utf8');
  const text = usage();
  for (const f of FLAGS) {
    assert.ok(doc.includes(`\`${f.flag}`), `docs/cli.md: ${f.flag}`);
    if (f.negation) assert.ok(doc.includes(f.negation), `docs/cli.md: ${f.negation}`);
    for (const e of f.env) assert.ok(doc.includes(e), `docs/cli.md: ${e}`);
    assert.ok(text.includes(`uvicorn: ${f.uvicorn}`), `--help: ${f.flag}`);
  }
  for (const [flags] of NOT_SUPPORTED) for (const flag of flags.split(', ')) assert.ok(doc.includes(flag) && text.includes(flag), flag);
});

test('parseArgs: the new options, repeatable flags, combinations uvicorn refuses', () => {
  const c = parseArgs([
    'm.js',
    '--uds',
    '/tmp/a.sock',
    '--uds-mode',
    '660',
    '--header',
    'x-a: 1',
    '--header=x-b:2',
    '--no-access-log',
    '--log-format',
    'json',
    '--timeout-keep-alive',
    '5',
    '--limit-concurrency',
    '10',
    '--limit-max-requests',
    '1000',
    '--backlog',
    '128',
    '--factory',
    '--app-dir',
    'src',
    '--interface',
    'fetch',
    '--lifespan',
    'off',
    '--reload',
    '--reload-dir',
    'a',
    '--reload-dir',
    'b',
    '--no-date-header',
    '--server-header',
    '--ws-ping-interval',
    '1.5',
  ]);
  assert.equal(
    [
      c.uds,
      c.udsMode,
      c.headers,
      c.accessLog,
      c.logFormat,
      c.timeoutKeepAlive,
      c.limitConcurrency,
      c.limitMaxRequests,
      c.backlog,
      c.factory,
      c.appDir,
      c.interface,
      c.lifespan,
      c.reload,
      c.reloadDirs,
      c.dateHeader,
      c.serverHeader,
      c.wsPingInterval,
    ],
    [
      '/tmp/a.sock',
      0o660,
      [
        ['x-a', '1'],
        ['x-b', '2'],
      ],
      false,
      'json',
      5,
      10,
      1000,
      128,
      true,
      'src',
      'fetch',
      'off',
      true,
      ['a', 'b'],
      false,
      true,
      1.5,
    ],
  );
  // A repeatable flag replaces its variable's list.
  assert.equal(parseArgs(['m.js', '--reload-dir', 'x'], { FASTERAPI_RELOAD_DIRS: 'a,b' }).reloadDirs, ['x']);
  assert.equal(parseArgs(['m.js'], { FASTERAPI_RELOAD_DIRS: 'a, b' }).reloadDirs, ['a', 'b']);
  assert.equal(parseArgs(['m.js'], { FORWARDED_ALLOW_IPS: '' }).trustedProxies, []);
  for (const [args, re] of [
    [['m.js', '--reload', '--workers', '2'], /--reload cannot be used with --workers > 1/],
    [['m.js', '--ssl-keyfile', 'k.pem'], /--ssl-keyfile and --ssl-certfile go together/],
    [['m.js', '--uds', 'a.sock', '--fd', '3'], /--uds and --fd/],
    [['m.js', '--interface', 'wsgi'], /invalid --interface wsgi: expected auto, faster, fetch, asgi, node/],
    [['m.js', '--header', 'novalue'], /invalid --header novalue: expected NAME:VALUE/],
    [['m.js', '--uds-mode', '999'], /octal/],
    [['m.js', '--forwarded-allow-ips', 'example.com'], /invalid --forwarded-allow-ips example\.com: trustedProxies entry "example\.com" is not valid/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parseArgs(args), re, args.join(' '));
  }
});

test('splitSpec: module and export', () => {
  assert.equal(splitSpec('main.js'), ['main.js', null]);
  assert.equal(splitSpec('main.js:app'), ['main.js', 'app']);
  assert.equal(splitSpec('./dir/main.js:$app_1'), ['./dir/main.js', '$app_1']);
  assert.equal(splitSpec('C:/x/main.js'), ['C:/x/main.js', null]);
  assert.equal(splitSpec('main.js:not-an-ident'), ['main.js:not-an-ident', null]);
});

test('resolveModuleFile: the file, else its compiled twin under dist/', () => {
  assert.is(resolveModuleFile('examples/hello.js', ROOT), `${ROOT}dist/examples/hello.js`);
  assert.is(resolveModuleFile('examples/hello.ts', ROOT), `${ROOT}dist/examples/hello.js`);
  assert.is(resolveModuleFile('examples/hello', ROOT), `${ROOT}dist/examples/hello.js`);
  assert.is(resolveModuleFile('bin/fasterapi.js', ROOT), `${ROOT}bin/fasterapi.js`);
  assert.throws(
    () => resolveModuleFile('examples/none.js', ROOT),
    /cannot find module 'examples\/none.js' \(looked for examples\/none.js, dist\/examples\/none.js, dist\/none.js\)/,
  );
});

test.run();
