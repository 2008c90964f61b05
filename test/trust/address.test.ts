import ipaddr from 'ipaddr.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NODE, NodeResult, SYNTAX, formatIPv6, parseNode, stripZone } from '../../src/trust/address.js';

const b = (s: string) => Buffer.from(s, 'latin1');
// parseIPv4 / parseIPv6 live in the http/ leaf now: test/http/ip.test.ts.

function node(s: string, syntax: 0 | 1 = SYNTAX.LIST): [number, string, number] {
  const r = new NodeResult();
  const buf = b(s);
  const code = parseNode(buf, 0, buf.length, syntax, r);
  return code === NODE.ADDRESS ? [code, buf.latin1Slice(r.addrStart, r.addrEnd), r.port] : [code, '', 0];
}

test('parseNode: X-Forwarded-For items', () => {
  assert.equal(node('198.51.100.1'), [NODE.ADDRESS, '198.51.100.1', 0]);
  assert.equal(node('198.51.100.1:4711'), [NODE.ADDRESS, '198.51.100.1', 4711]);
  assert.equal(node('2001:db8::1'), [NODE.ADDRESS, '2001:db8::1', 0]);
  assert.equal(node('[2001:db8::1]'), [NODE.ADDRESS, '2001:db8::1', 0]);
  assert.equal(node('[2001:db8::1]:443'), [NODE.ADDRESS, '2001:db8::1', 443]);
  assert.equal(node('unknown')[0], NODE.UNKNOWN);
  assert.equal(node('UNKNOWN')[0], NODE.UNKNOWN);
  for (const bad of ['_hidden', '1.2.3.4:', '1.2.3.4:65536', '1.2.3.4:80:80', '[::1]80', '[::1]:', '[::1', 'fe80::1%eth0', '[fe80::1%eth0]:80', 'localhost', '', '1.2.3.4:+80']) {
    assert.is(node(bad)[0], NODE.INVALID, bad);
  }
});

test('parseNode: RFC 7239 node values', () => {
  const F = SYNTAX.FORWARDED;
  assert.equal(node('192.0.2.43', F), [NODE.ADDRESS, '192.0.2.43', 0]);
  assert.equal(node('192.0.2.43:47011', F), [NODE.ADDRESS, '192.0.2.43', 47011]);
  assert.equal(node('[2001:db8:cafe::17]:4711', F), [NODE.ADDRESS, '2001:db8:cafe::17', 4711]);
  assert.equal(node('[2001:db8:cafe::17]:_port', F), [NODE.ADDRESS, '2001:db8:cafe::17', 0]);
  assert.is(node('unknown', F)[0], NODE.UNKNOWN);
  assert.is(node('_hidden', F)[0], NODE.OBFUSCATED);
  assert.is(node('_SEVKISEK', F)[0], NODE.OBFUSCATED);
  assert.is(node('_hidden:_p', F)[0], NODE.OBFUSCATED);
  assert.is(node('_hid$den', F)[0], NODE.INVALID);
  assert.is(node('_', F)[0], NODE.INVALID);
  // §6: IPv6 must be bracketed.
  assert.is(node('2001:db8::1', F)[0], NODE.INVALID);
});

test('stripZone', () => {
  assert.is(stripZone('fe80::1%eth0'), 'fe80::1');
  assert.is(stripZone('127.0.0.1'), '127.0.0.1');
});

test('formatIPv6: RFC 5952 text, mapped addresses dotted like Node prints them', () => {
  const cases = ['::1', '::', '2001:db8::1', '2001:db8:0:1:1:1:1:1', '2001:0:0:1::1', 'fe80::1:2', '1:2:3:4:5:6:7:8', '2001:db8::', '1::'];
  for (const s of cases) {
    const bytes = Uint8Array.from(ipaddr.IPv6.parse(s).toByteArray());
    assert.is(formatIPv6(bytes, 0), ipaddr.IPv6.parse(s).toRFC5952String(), s);
  }
  const mapped = Uint8Array.from(ipaddr.IPv6.parse('::ffff:10.0.0.1').toByteArray());
  assert.is(formatIPv6(mapped, 0), '::ffff:10.0.0.1');
});

test.run();
