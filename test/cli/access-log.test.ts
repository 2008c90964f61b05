// accessLog(): the text line is written as bytes into a reused buffer. These tests pin it
// to the line the string version wrote (uvicorn's format plus the duration), byte for
// byte, for the shapes a scope can take, and check the batching and the JSON format.
import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accessLog } from '../../src/cli/access-log.js';
import { REASONS } from '../../src/http/reasons.js';
import { pathWithRoot } from '../../src/middleware/location.js';
import type { Scope } from '../../src/types.js';

interface Fields {
  method?: string;
  rootPath?: string;
  rawPath?: string;
  queryString?: string;
  client?: [string, number] | null;
  httpVersion?: '1.0' | '1.1';
}

function scopeOf(f: Fields): Scope {
  return {
    method: f.method ?? 'GET',
    rootPath: f.rootPath ?? '',
    rawPath: f.rawPath ?? '/',
    queryString: f.queryString ?? '',
    client: f.client === undefined ? ['127.0.0.1', 50123] : f.client,
    httpVersion: f.httpVersion ?? '1.1',
  } as unknown as Scope;
}

/** The line as the template-string version built it. */
function reference(prefix: string, scope: Scope, status: number, ms: number): string {
  const c = scope.client;
  const client = c === null ? '-' : c[0].indexOf(':') >= 0 ? `[${c[0]}]:${c[1]}` : `${c[0]}:${c[1]}`;
  const dur = Math.round(ms * 1000) / 1000;
  return `INFO ${prefix}${client} - "${scope.method} ${pathWithRoot(scope)} HTTP/${scope.httpVersion}" ${status} ${REASONS[status] ?? ''} ${dur}ms\n`;
}

/** A Writable collecting bytes, as process.stderr would take them. */
function sink(): { stream: Writable; bytes: () => Buffer; writes: () => number } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks), writes: () => chunks.length };
}

const tick = () => new Promise((r) => setImmediate(r));

const CASES: [string, Fields, number, number][] = [
  ['plain GET', {}, 200, 0.0421],
  ['query', { rawPath: '/search', queryString: 'q=a%20b&x=1' }, 200, 12.3456],
  ['IPv6 client', { client: ['::1', 443] }, 404, 1],
  ['no client', { client: null }, 500, 0],
  ['HTTP/1.0 HEAD', { method: 'HEAD', httpVersion: '1.0' }, 304, 999.9999],
  ['root path not in the target', { rootPath: '/api', rawPath: '/users/7' }, 201, 0.5],
  ['root path in the target', { rootPath: '/api', rawPath: '/api/users/7' }, 204, 0.05],
  ['root path as a prefix of a longer segment', { rootPath: '/api', rawPath: '/apix' }, 200, 0.005],
  ['unknown status', {}, 599, 7],
  ['a long duration', {}, 200, 123456.7894],
  ['obs-text in the target (latin1)', { rawPath: '/caf\u00e9' }, 200, 2],
  ['non-Latin text set by a middleware', { rootPath: '/\u65e5\u672c', rawPath: '/x\u{1f600}y' }, 200, 2],
  ['a lone surrogate set by a middleware', { rawPath: '/a\ud800b' }, 200, 2],
  ['a long target', { rawPath: `/${'a'.repeat(70_000)}` }, 200, 3],
];

test('accessLog(text): the same bytes as the template-string line, for every scope shape', async () => {
  for (const prefix of ['', '[4242] ']) {
    const out = sink();
    const log = accessLog('text', out.stream as never, prefix);
    let expected = '';
    for (const [, f, status, ms] of CASES) {
      const scope = scopeOf(f);
      const startedAt = performance.now() - ms;
      log(scope, status, startedAt);
      // the hook reads performance.now() itself: rebuild the reference from the line's own duration
      expected += reference(prefix, scope, status, ms);
    }
    await tick();
    const lines = out.bytes().toString('utf8').split('\n');
    const want = expected.split('\n');
    assert.is(lines.length, want.length);
    for (let i = 0; i < want.length - 1; i++) {
      const [name] = CASES[i];
      // durations differ by the microseconds between the test's now() and the hook's: compare the rest exactly
      const got = lines[i].replace(/ [0-9.]+ms$/, ' Dms');
      // through UTF-8 as the string version's stream.write() sent it (a lone surrogate becomes U+FFFD)
      assert.is(
        got,
        Buffer.from(want[i], 'utf8')
          .toString('utf8')
          .replace(/ [0-9.]+ms$/, ' Dms'),
        name,
      );
      assert.match(lines[i], / \d+(\.\d{1,3})?ms$/, `${name}: duration format`);
    }
  }
});

test('accessLog(text): durations print as String(Math.round(ms * 1000) / 1000)', async () => {
  const realNow = performance.now;
  const samples = [0, 0.0004, 0.0005, 0.001, 0.01, 0.1, 0.12, 0.123, 1, 1.5, 10.05, 10.005, 999.999, 1000, 65_536.25, 3_600_000.001];
  const out = sink();
  const log = accessLog('text', out.stream as never);
  try {
    for (const ms of samples) {
      performance.now = () => 1_000_000 + ms;
      log(scopeOf({}), 200, 1_000_000);
    }
  } finally {
    performance.now = realNow;
  }
  await tick();
  const got = out
    .bytes()
    .toString('latin1')
    .trim()
    .split('\n')
    .map((l) => /OK (\S+)ms$/.exec(l)?.[1]);
  assert.equal(
    got,
    samples.map((ms) => String(Math.round((1_000_000 + ms - 1_000_000) * 1000) / 1000)),
  );
});

test('accessLog: the lines of one turn go out in one write, later turns in their own', async () => {
  const out = sink();
  const log = accessLog('text', out.stream as never);
  for (let i = 0; i < 100; i++) log(scopeOf({ rawPath: `/n/${i}` }), 200, performance.now());
  assert.is(out.writes(), 0, 'nothing written before the turn ends');
  await tick();
  assert.is(out.writes(), 1);
  log(scopeOf({}), 200, performance.now());
  await tick();
  assert.is(out.writes(), 2);
  const lines = out.bytes().toString('latin1').trim().split('\n');
  assert.is(lines.length, 101);
  assert.match(lines[99], /"GET \/n\/99 HTTP\/1\.1" 200 OK/);
});

test('accessLog: an Output that is not a stream gets strings', async () => {
  const got: unknown[] = [];
  const log = accessLog('text', { write: (s: string) => got.push(s) });
  log(scopeOf({ rawPath: '/\u00e9t\u00e9' }), 200, performance.now());
  await tick();
  assert.is(got.length, 1);
  assert.type(got[0], 'string');
  assert.match(got[0] as string, /^INFO 127\.0\.0\.1:50123 - "GET \/\u00e9t\u00e9 HTTP\/1\.1" 200 OK \d+(\.\d+)?ms\n$/);
});

test('accessLog(json): one object per line, batched the same way', async () => {
  const out = sink();
  const log = accessLog('json', out.stream as never);
  log(scopeOf({ rawPath: '/a', queryString: 'b=1', client: ['::1', 8080] }), 404, performance.now());
  log(scopeOf({ method: 'POST' }), 201, performance.now());
  await tick();
  assert.is(out.writes(), 1);
  const recs = out
    .bytes()
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(
    recs.map((r) => [r.logger, r.method, r.path, r.client, r.status, r.http_version]),
    [
      ['access', 'GET', '/a?b=1', '[::1]:8080', 404, '1.1'],
      ['access', 'POST', '/', '127.0.0.1:50123', 201, '1.1'],
    ],
  );
});

test.run();
