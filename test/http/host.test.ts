import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HOST_MODE, MAX_HOST_LENGTH, hostEnd, parsePort } from '../../src/http/host.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const end = (v: string, mode: number, w: Int32Array | null = null) => hostEnd(b(v), 0, v.length, mode, w);
const ok = (v: string, mode: number) => end(v, mode) >= 0;

// Moved from test/trust/values.test.ts (isValidHost, now this mode).
test('hostEnd FORWARDED: RFC 3986 host [":" port], strict subset', () => {
  const F = HOST_MODE.FORWARDED;
  for (const good of [
    'example.com',
    'EXAMPLE.com',
    'a',
    'api.example.com:8443',
    '127.0.0.1',
    '127.0.0.1:80',
    '[::1]',
    '[2001:db8::1]:443',
    'xn--bcher-kva.example',
    'under_score.local',
    'a~b',
  ]) {
    assert.ok(ok(good, F), good);
  }
  for (const bad of [
    '',
    ':80',
    'example.com:',
    'example.com:65536',
    'example.com:8o',
    'a b',
    'a/b',
    'a@b',
    'a?b',
    'a#b',
    'a%41',
    "a'b",
    'a,b',
    'a;b',
    '[::1',
    '[fe80::1%25eth0]',
    '[v1.x]',
    '[::1]x',
    '[1.2.3.4]',
    'a\\b',
    'é.example',
    'x'.repeat(261),
  ]) {
    assert.not.ok(ok(bad, F), bad);
  }
  assert.ok(ok('x'.repeat(MAX_HOST_LENGTH), F));
  // Labels are the NAME mode's business.
  assert.ok(ok('a..b', F));
});

test('hostEnd: where the host ends, and the IPv6 bits', () => {
  assert.is(end('example.com', HOST_MODE.FORWARDED), 11);
  assert.is(end('example.com:8080', HOST_MODE.FORWARDED), 11);
  const w = new Int32Array(4);
  assert.is(end('[::1]:8080', HOST_MODE.NAME, w), 5);
  assert.equal([...w], [0, 0, 0, 1]);
  assert.is(end('', HOST_MODE.FIELD), 0);
  assert.is(end(':80', HOST_MODE.FIELD), 0);
  assert.is(end('a b', HOST_MODE.FIELD), -1);
});

test('hostEnd FIELD: the whole RFC 9112 §3.2 / RFC 3986 §3.2.2 grammar', () => {
  const F = HOST_MODE.FIELD;
  for (const good of [
    '',
    ':80',
    'example.com',
    'example.com:',
    'example.com:99999',
    'a%41b',
    "a!$&'()*+,;=b",
    'a~b_c-d',
    '[::1]',
    '[::1]:',
    '[2001:db8::1]:443',
    'x'.repeat(300),
  ]) {
    assert.ok(ok(good, F), good);
  }
  // Behaviour since the grammars were merged: pct-encoded needs two hex digits, and an
  // IP-literal must be a strict IPv6 address (IPvFuture refused), as in the other modes.
  for (const bad of [
    'a b',
    'a/b',
    'a@b',
    'a?b',
    'a#b',
    'a\\b',
    'é',
    'a%4',
    'a%zz',
    '%',
    '[::1',
    '[::1]x',
    '[v1.x]',
    '[::::]',
    '[1.2.3.4]',
    '[fe80::1%25eth0]',
    'a:8o',
    'a:80:80',
  ]) {
    assert.not.ok(ok(bad, F), bad);
  }
});

test('hostEnd NAME: FORWARDED plus DNS labels (RFC 1035 §2.3.1)', () => {
  const N = HOST_MODE.NAME;
  for (const good of ['example.com', 'example.com.', 'example.com.:8080', 'a', '127.0.0.1', '[::1]']) assert.ok(ok(good, N), good);
  for (const bad of ['.', '.a', 'a..b', 'a..', 'example.com..', '..', '', 'a%41', "a'b"]) assert.not.ok(ok(bad, N), bad);
});

test('parsePort', () => {
  const p = (v: string) => parsePort(b(v), 0, v.length);
  assert.is(p('0'), 0);
  assert.is(p('080'), 80);
  assert.is(p('65535'), 65535);
  for (const bad of ['', '65536', '123456', '-1', '+80', '8 0', '8o']) assert.is(p(bad), -1, bad);
});

test.run();
