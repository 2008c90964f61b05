// The request target (RFC 9112 §3.2): path (percent-decoded), rawPath (as received),
// queryString (raw, without '?'), and the absolute form, whose authority sets server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { withServer } from '../helpers/raw.js';
import { snapshotScope, type ScopeSnapshot } from '../helpers/scope.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

/** Sends every head on one connection (pipelined); returns the scopes in order. */
async function scopesFor(heads: string[]): Promise<ScopeSnapshot[]> {
  const seen: ScopeSnapshot[] = [];
  const app: App = (scope, _receive, send) => {
    seen.push(snapshotScope(scope));
    respond(send, 200, TEXT, 'ok');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    c.bodyless = (i) => heads[i].startsWith('HEAD ');
    await c.write(heads.join(''));
    await c.waitResponses(heads.length);
  });
  return seen;
}

const get = (target: string, host = 'h.example'): string => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;

test('path is percent-decoded (UTF-8); rawPath is exactly as received', async () => {
  const cases: [string, string, string][] = [
    ['/plain', '/plain', '/plain'],
    ['/a%20b', '/a b', '/a%20b'],
    ['/caf%C3%A9', '/café', '/caf%C3%A9'],
    ['/%E2%82%AC/%F0%9F%98%80', '/€/😀', '/%E2%82%AC/%F0%9F%98%80'],
    ['/a%2Fb', '/a/b', '/a%2Fb'], // decoded in path; rawPath keeps the encoded slash for routers that care
    ['/a+b', '/a+b', '/a+b'], // '+' is only a space in form-encoded queries
    ['/%7euser', '/~user', '/%7euser'],
    ['/bad%zzescape', '/bad%zzescape', '/bad%zzescape'], // malformed: left as received, not an error
    ['/bad%E2%82', '/bad%E2%82', '/bad%E2%82'], // truncated UTF-8: left as received
    ['/dots/../x/./y', '/dots/../x/./y', '/dots/../x/./y'], // no normalisation at this layer
    ['//double//slash', '//double//slash', '//double//slash'],
  ];
  const seen = await scopesFor(cases.map(([t]) => get(t)));
  assert.equal(
    seen.map((s) => [s.path, s.rawPath]),
    cases.map(([, p, r]) => [p, r]),
  );
});

test('queryString: raw, without the "?", "" when absent or empty, "?" inside kept', async () => {
  const cases: [string, string, string][] = [
    ['/p', '/p', ''],
    ['/p?', '/p', ''],
    ['/p?a=1&b=2', '/p', 'a=1&b=2'],
    ['/p?a=%20x+y', '/p', 'a=%20x+y'],
    ['/p?a=1?b=2', '/p', 'a=1?b=2'],
    ['/p%3Fnot-a-query', '/p?not-a-query', ''],
    ['/?only', '/', 'only'],
    ['/p?q=/slash/in/query', '/p', 'q=/slash/in/query'],
  ];
  const seen = await scopesFor(cases.map(([t]) => get(t)));
  assert.equal(
    seen.map((s) => [s.path, s.queryString]),
    cases.map(([, p, q]) => [p, q]),
  );
});

test('absolute-form target: path, query and server come from the target, not from Host', async () => {
  const seen = await scopesFor([
    get('http://example.com/a?b=1', 'other.example'),
    get('http://example.com:8080/x%20y', 'example.com:8080'),
    get('http://example.com', 'example.com'),
    get('http://example.com?q=1', 'example.com'),
    get('http://[::1]:9000/v6', '[::1]:9000'),
  ]);
  assert.equal(
    seen.map((s) => [s.path, s.rawPath, s.queryString, s.server]),
    [
      ['/a', '/a', 'b=1', ['example.com', 80]],
      ['/x y', '/x%20y', '', ['example.com', 8080]],
      ['/', '/', '', ['example.com', 80]],
      ['/', '/', 'q=1', ['example.com', 80]],
      ['/v6', '/v6', '', ['::1', 9000]],
    ],
  );
});

test('origin-form: server comes from Host (port or the scheme default)', async () => {
  const seen = await scopesFor([get('/', 'api.example'), get('/', 'api.example:3000'), get('/', '127.0.0.1:8000'), get('/', '[2001:db8::1]:443')]);
  assert.equal(
    seen.map((s) => s.server),
    [
      ['api.example', 80],
      ['api.example', 3000],
      ['127.0.0.1', 8000],
      ['2001:db8::1', 443],
    ],
  );
});

test('HTTP/1.0 without Host: server is the listening address', async () => {
  const seen: ScopeSnapshot[] = [];
  const app: App = (scope, _receive, send) => {
    seen.push(snapshotScope(scope));
    respond(send, 200, TEXT, 'ok');
  };
  await withServer(app, {}, async ({ raw, port }) => {
    await raw('GET /old HTTP/1.0\r\n\r\n');
    assert.equal(seen[0].server, ['127.0.0.1', port]);
    assert.is(seen[0].httpVersion, '1.0');
  });
});

test('asterisk-form (OPTIONS *) keeps "*" as path', async () => {
  const seen = await scopesFor(['OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n']);
  assert.is(seen[0].method, 'OPTIONS');
  assert.is(seen[0].path, '*');
  assert.is(seen[0].rawPath, '*');
  assert.is(seen[0].queryString, '');
});

test('methods are reported as sent (registered methods llhttp knows)', async () => {
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'MKCOL', 'PURGE', 'QUERY'];
  const seen = await scopesFor(methods.map((m) => `${m} /m HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n`));
  assert.equal(
    seen.map((s) => s.method),
    methods,
  );
});

test.run();
