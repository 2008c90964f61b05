// requestUrl() on scopes that are not the transport's pooled ones (a middleware's copy,
// a test double): the URL comes from scope.server, rootPath, rawPath and queryString,
// and anything that could move the host boundary is refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RequestUrlError, requestUrl } from '../../src/fetch/url.js';
import type { Scope } from '../../src/types.js';

const RequestUrl = suite('requestUrl');

function scope(o: Partial<Scope>): Scope {
  return {
    type: 'http',
    httpVersion: '1.1',
    method: 'GET',
    scheme: 'http',
    server: ['example.com', 80],
    client: null,
    rootPath: '',
    path: '/',
    rawPath: '/',
    queryString: '',
    headers: null as unknown as Scope['headers'],
    peer: null,
    state: null,
    ...o,
  };
}

RequestUrl('host, default and other ports, IPv6, query', () => {
  assert.is(requestUrl(scope({ rawPath: '/a', queryString: 'x=1' })), 'http://example.com/a?x=1');
  assert.is(requestUrl(scope({ scheme: 'https', server: ['example.com', 443] })), 'https://example.com/');
  assert.is(requestUrl(scope({ scheme: 'https', server: ['example.com', 8443] })), 'https://example.com:8443/');
  assert.is(requestUrl(scope({ server: ['::1', 3000] })), 'http://[::1]:3000/');
  assert.is(requestUrl(scope({ server: ['example.com', null] })), 'http://example.com/');
  assert.is(requestUrl(scope({ scheme: 'wss', server: ['ws.test', 443] })), 'https://ws.test/');
});

RequestUrl('root path: prefixed unless already there', () => {
  assert.is(requestUrl(scope({ rootPath: '/api', rawPath: '/users' })), 'http://example.com/api/users');
  assert.is(requestUrl(scope({ rootPath: '/api', rawPath: '/api/users' })), 'http://example.com/api/users');
  assert.is(requestUrl(scope({ rootPath: '/api', rawPath: '/apiary' })), 'http://example.com/api/apiary');
});

RequestUrl('what the URL parser would rewrite is rewritten the same way', () => {
  for (const raw of ['/a/./b', '/a/../b', '/%2e%2e/x', "/q?it's", '/a\\b', '/sp ace', '/ü', '/a|b']) {
    assert.is(requestUrl(scope({ rawPath: raw })), new URL('http://example.com' + raw).href, raw);
  }
});

RequestUrl('hosts that would move the boundary throw RequestUrlError', () => {
  for (const host of ['evil.test/x', 'a@b.test', 'a.test?', 'a.test#', 'a b', '', 'a\\b']) {
    assert.throws(
      () => requestUrl(scope({ server: [host, null] })),
      (e: unknown) => e instanceof RequestUrlError,
      host,
    );
  }
  assert.throws(
    () => requestUrl(scope({ rawPath: '*' })),
    (e: unknown) => e instanceof RequestUrlError,
  );
});

RequestUrl.run();
