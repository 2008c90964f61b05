import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SCHEME, parseForwardedPort, parseScheme } from '../../src/trust/values.js';

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

test('parseForwardedPort', () => {
  const p = (v: string) => parseForwardedPort(b(v), 0, v.length);
  assert.is(p('443'), 443);
  assert.is(p('65535'), 65535);
  for (const bad of ['0', '65536', '', '-1', '4 4', '123456', '+80']) assert.is(p(bad), -1, bad);
});

test.run();
