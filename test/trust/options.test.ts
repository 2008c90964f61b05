import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normalizeRootPath, parseForwardedHeaders, parseTrustedProxies, rootPathProblem, trustOptionsFromEnv } from '../../src/trust/options.js';

test('parseTrustedProxies', () => {
  assert.equal(parseTrustedProxies('127.0.0.1, 10.0.0.0/8,,::1 '), ['127.0.0.1', '10.0.0.0/8', '::1']);
  assert.equal(parseTrustedProxies('*'), ['*']);
  assert.is(parseTrustedProxies(' 2 '), 2);
  assert.is(parseTrustedProxies('0'), 0);
  assert.equal(parseTrustedProxies(''), []);
  assert.equal(parseTrustedProxies('loopback,uniquelocal'), ['loopback', 'uniquelocal']);
  assert.throws(() => parseTrustedProxies('10.0.0.1,2'), /hop count cannot be combined/);
  assert.throws(() => parseTrustedProxies('99999999999999999999'), /too large/);
});

test('trustOptionsFromEnv', () => {
  assert.equal(trustOptionsFromEnv({}), {});
  assert.equal(trustOptionsFromEnv({ FORWARDED_ALLOW_IPS: '*' }), { trustedProxies: ['*'] });
  assert.equal(trustOptionsFromEnv({ FORWARDED_ALLOW_IPS: '1' }), { trustedProxies: 1 });
  assert.equal(trustOptionsFromEnv({ FORWARDED_ALLOW_IPS: '10.0.0.0/8, fd00::/8' }), { trustedProxies: ['10.0.0.0/8', 'fd00::/8'] });
  assert.equal(trustOptionsFromEnv({ FORWARDED_ALLOW_IPS: '' }), { trustedProxies: [] });
});

test('normalizeRootPath', () => {
  assert.is(normalizeRootPath(undefined), '');
  assert.is(normalizeRootPath(''), '');
  assert.is(normalizeRootPath('/'), '');
  assert.is(normalizeRootPath('//'), '');
  assert.is(normalizeRootPath('/api/'), '/api');
  assert.is(normalizeRootPath('/api/v1'), '/api/v1');
  assert.is(normalizeRootPath('/api%20x'), '/api%20x');
  for (const bad of ['api', '/a/../b', '/a//b', '/a\\b', '/a\nb', '/a?b', '/a#b', '/é', '/%2e%2e', '/%zz']) {
    assert.throws(() => normalizeRootPath(bad), /rootPath/, bad);
  }
});

test('rootPathProblem explains', () => {
  const p = (s: string) => rootPathProblem(Buffer.from(s, 'latin1'), 0, s.length);
  assert.is(p('/ok/path-1_~'), null);
  assert.is(p('x'), "must start with '/'");
  assert.is(p('/a/..'), "contains '..'");
  assert.is(p('/a,b'), "contains ','");
  assert.is(p('/a\x00'), 'contains a control character');
  assert.is(p('/' + 'a'.repeat(1100)), 'is longer than 1024 bytes');
});

test('parseForwardedHeaders', () => {
  assert.is(parseForwardedHeaders(undefined), null);
  assert.equal(parseForwardedHeaders(''), []);
  assert.equal(parseForwardedHeaders(' X-Forwarded-For ,x-forwarded-proto,x-forwarded-for'), ['x-forwarded-for', 'x-forwarded-proto']);
  assert.equal(parseForwardedHeaders(['forwarded', 'x-forwarded-prefix', 'x-forwarded-port']), ['forwarded', 'x-forwarded-prefix', 'x-forwarded-port']);
  assert.equal(parseForwardedHeaders('x-real-ip,x-forwarded-proto,x-forwarded-host'), ['x-real-ip', 'x-forwarded-proto', 'x-forwarded-host']);
  // the old family values are gone: 'auto' let the client pick the family that was believed
  assert.throws(() => parseForwardedHeaders('auto'), /'auto' was removed.*client/);
  assert.throws(() => parseForwardedHeaders('x-forwarded'), /'x-forwarded' was removed/);
  assert.throws(() => parseForwardedHeaders('x-forwarded-server'), /unknown header 'x-forwarded-server'/);
  assert.throws(() => parseForwardedHeaders([1 as never]), /array of header names/);
  // exactly one client-address header
  assert.throws(() => parseForwardedHeaders('x-forwarded-for,x-real-ip'), /x-forwarded-for and x-real-ip/);
  assert.throws(() => parseForwardedHeaders('forwarded,x-forwarded-for'), /one client-address header/);
  // Forwarded carries proto= and host= itself
  assert.throws(() => parseForwardedHeaders('forwarded,x-forwarded-proto'), /forwarded and x-forwarded-proto/);
  assert.throws(() => parseForwardedHeaders('forwarded,x-forwarded-host'), /forwarded and x-forwarded-host/);
});

test.run();
