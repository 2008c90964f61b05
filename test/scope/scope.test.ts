// Scope (src/scope/scope.ts): the lazy target fields and `server`, on hand-made spans.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { routePath } from '../../src/scope/route-path.js';
import { Scope, splitHostPort } from '../../src/scope/scope.js';

/** A scope whose buffer holds `target` followed by one Host line (when given). */
function scopeFor(target: string, host: string | null = null): Scope {
  const s = new Scope();
  const text = target + (host === null ? '' : `Host: ${host}`);
  s.raw.buf = Buffer.from(text, 'latin1');
  s.urlStart = 0;
  s.urlEnd = target.length;
  if (host !== null) {
    s.raw.size = 1;
    s.raw.spans.set([target.length, target.length + 4, target.length + 6, text.length]);
    s.raw.intern();
  }
  s.localAddress = '10.0.0.1';
  s.localPort = 8000;
  return s;
}

test('splitHostPort: names, IPv4, bracketed IPv6, missing and invalid ports', () => {
  const cases: [string, [string, number | null]][] = [
    ['example.com', ['example.com', null]],
    ['example.com:8080', ['example.com', 8080]],
    ['127.0.0.1:80', ['127.0.0.1', 80]],
    ['[::1]', ['::1', null]],
    ['[::1]:443', ['::1', 443]],
    ['[2001:db8::1]:65535', ['2001:db8::1', 65535]],
    ['::1', ['::1', null]], // unbracketed IPv6: no port can be told apart
    ['host:', ['host', null]],
    ['host:99999', ['host', null]],
    ['host:12a', ['host', null]],
    ['[::1', ['[::1', null]],
  ];
  for (const [input, expected] of cases) assert.equal(splitHostPort(input), expected, input);
});

test('path, rawPath, queryString from an origin-form target', () => {
  const s = scopeFor('/a%20b/c?x=1&y=%20');
  assert.is(s.rawPath, '/a%20b/c');
  assert.is(s.path, '/a b/c');
  assert.is(s.queryString, 'x=1&y=%20');
  assert.is(s.target, '/a%20b/c?x=1&y=%20');
});

test('absolute-form: path and query after the authority; server from the authority', () => {
  const s = scopeFor('http://example.com:8080/p?q=1', 'ignored.example');
  assert.is(s.rawPath, '/p');
  assert.is(s.queryString, 'q=1');
  assert.equal(s.server, ['example.com', 8080]);
  const bare = scopeFor('http://example.com');
  assert.is(bare.rawPath, '/');
  assert.is(bare.queryString, '');
  assert.equal(bare.server, ['example.com', 80]);
});

test('server: Host with and without a port; scheme default port; listening address without Host', () => {
  assert.equal(scopeFor('/', 'h.example').server, ['h.example', 80]);
  assert.equal(scopeFor('/', 'h.example:81').server, ['h.example', 81]);
  const secure = scopeFor('/', 'h.example');
  secure.scheme = 'https';
  assert.equal(secure.server, ['h.example', 443]);
  assert.equal(scopeFor('/').server, ['10.0.0.1', 8000]);
});

test('path is as received; routePath removes rootPath once, only at a segment boundary', () => {
  const s = scopeFor('/api/users');
  s.rootPath = '/api';
  assert.is(s.path, '/api/users');
  assert.is(routePath(s), '/users');
  const exact = scopeFor('/api');
  exact.rootPath = '/api';
  assert.is(routePath(exact), '/');
  const other = scopeFor('/apix/users');
  other.rootPath = '/api';
  assert.is(routePath(other), '/apix/users');
  const stripped = scopeFor('/users');
  stripped.rootPath = '/api';
  assert.is(routePath(stripped), '/users', 'a request the proxy already stripped');
  const doubled = scopeFor('/api/api/users');
  doubled.rootPath = '/api';
  assert.is(routePath(doubled), '/api/users', 'removed once');
  // a middleware's copy with its own rootPath routes the same
  const copy = { ...scopeFor('/api/users'), rootPath: '/api' } as unknown as Parameters<typeof routePath>[0];
  assert.is(routePath(copy), '/users');
});

test('the lazy fields can be overwritten by stages and are cleared by resetRequest()', () => {
  const s = scopeFor('/one?a=1', 'h');
  assert.is(s.path, '/one');
  s.path = '/rewritten';
  s.queryString = 'b=2';
  assert.is(s.path, '/rewritten');
  assert.is(s.queryString, 'b=2');
  s.resetRequest();
  s.raw.buf = Buffer.from('/two', 'latin1');
  s.urlEnd = 4;
  assert.is(s.path, '/two');
  assert.is(s.queryString, '');
  assert.is(s.headers.get('host'), null);
  assert.is(s.client, null);
  assert.is(s.state, null);
});

test('a spread copy keeps the lazy fields (middlewares do { ...scope, rootPath })', () => {
  const s = scopeFor('/x?y=1', 'h.example');
  const copy = { ...s } as unknown as Record<string, unknown>;
  assert.is(copy.path, '/x');
  assert.is(copy.queryString, 'y=1');
  assert.equal(copy.server, ['h.example', 80]);
});

test.run();
