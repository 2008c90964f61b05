import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FAMILY, familyOf, normalizeRootPath, parseTrustedProxies, rootPathProblem, trustOptionsFromEnv } from '../../src/trust/options.js';

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

test('familyOf', () => {
  assert.is(familyOf(undefined), FAMILY.AUTO);
  assert.is(familyOf('auto'), FAMILY.AUTO);
  assert.is(familyOf('forwarded'), FAMILY.FORWARDED);
  assert.is(familyOf('x-forwarded'), FAMILY.X_FORWARDED);
  assert.throws(() => familyOf('both' as never), /forwardedHeaders/);
});

test.run();
