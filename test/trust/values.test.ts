import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SCHEME, isValidHost, parseForwardedPort, parseScheme } from '../../src/trust/values.js';

const b = (s: string) => Buffer.from(s, 'latin1');

test('parseScheme', () => {
  const s = (v: string) => parseScheme(b(v), 0, v.length);
  assert.is(s('http'), SCHEME.PLAIN);
  assert.is(s('HTTP'), SCHEME.PLAIN);
  assert.is(s('ws'), SCHEME.PLAIN);
  assert.is(s('https'), SCHEME.SECURE);
  assert.is(s('Https'), SCHEME.SECURE);
  assert.is(s('wss'), SCHEME.SECURE);
  for (const bad of ['javascript', 'ftp', 'http:', 'http s', 'htt', '', 'httpss', 'h\u00f4tp']) assert.is(s(bad), SCHEME.INVALID, bad);
});

test('isValidHost: RFC 3986 host [":" port], strict subset', () => {
  const w = new Int32Array(4);
  const ok = (v: string) => isValidHost(b(v), 0, v.length, w);
  for (const good of ['example.com', 'EXAMPLE.com', 'a', 'api.example.com:8443', '127.0.0.1', '127.0.0.1:80', '[::1]', '[2001:db8::1]:443', 'xn--bcher-kva.example', 'under_score.local', 'a~b']) {
    assert.ok(ok(good), good);
  }
  for (const bad of ['', ':80', 'example.com:', 'example.com:65536', 'example.com:8o', 'a b', 'a/b', 'a@b', 'a?b', 'a#b', 'a%41', "a'b", 'a,b', 'a;b', '[::1', '[fe80::1%25eth0]', '[v1.x]', '[::1]x', '[1.2.3.4]', 'a\\b', 'é.example', 'x'.repeat(261)]) {
    assert.not.ok(ok(bad), bad);
  }
});

test('parseForwardedPort', () => {
  const p = (v: string) => parseForwardedPort(b(v), 0, v.length);
  assert.is(p('443'), 443);
  assert.is(p('65535'), 65535);
  for (const bad of ['0', '65536', '', '-1', '4 4', '123456', '+80']) assert.is(p(bad), -1, bad);
});

test.run();
