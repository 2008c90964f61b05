import ipaddr from 'ipaddr.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NodeResult, SYNTAX, parseNode } from '../../src/trust/address.js';
import { NAMED_RANGES, TRUST_ALL_WARNING, TRUST_KIND, compileMatcher } from '../../src/trust/matcher.js';
import { memoryLogger } from './helpers.js';

test('compileMatcher: default is loopback', () => {
  const m = compileMatcher(undefined, null);
  assert.is(m.kind, TRUST_KIND.RANGES);
  for (const a of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) assert.ok(m.trusts(a, 0), a);
  for (const a of ['10.0.0.1', '::2', '128.0.0.1', '::ffff:10.0.0.1', '::127.0.0.1', 'localhost', '']) assert.not.ok(m.trusts(a, 0), a);
});

test('compileMatcher: named ranges as proxy-addr names them', () => {
  const ll = compileMatcher('linklocal', null);
  assert.ok(ll.trusts('169.254.1.1', 0));
  assert.ok(ll.trusts('fe80::abcd', 0));
  assert.ok(ll.trusts('fe80::abcd%eth0', 0));
  assert.not.ok(ll.trusts('fec0::1', 0));
  const ul = compileMatcher(['uniquelocal'], null);
  for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', 'fc00::1', 'fdff::1']) assert.ok(ul.trusts(a, 0), a);
  for (const a of ['172.32.0.1', '192.169.0.1', 'fe00::1', '11.0.0.1']) assert.not.ok(ul.trusts(a, 0), a);
  assert.ok(compileMatcher('LoopBack', null).trusts('127.0.0.1', 0));
  assert.equal(Object.keys(NAMED_RANGES).sort(), ['linklocal', 'loopback', 'uniquelocal']);
});

test('compileMatcher: addresses, CIDRs, netmasks, comma strings', () => {
  const m = compileMatcher('10.0.0.1, 192.168.0.0/16 , 2001:db8::/32,172.16.0.0/255.240.0.0', null);
  for (const a of ['10.0.0.1', '192.168.44.1', '2001:db8:1::5', '172.20.0.1', '::ffff:192.168.0.1']) assert.ok(m.trusts(a, 0), a);
  for (const a of ['10.0.0.2', '192.169.0.1', '2001:db9::1', '172.32.0.1']) assert.not.ok(m.trusts(a, 0), a);
  // Host bits in a CIDR are masked (as proxy-addr does).
  assert.ok(compileMatcher('10.1.2.3/8', null).trusts('10.200.0.1', 0));
  // An IPv4-mapped IPv6 range matches plain IPv4 peers and vice versa.
  assert.ok(compileMatcher('::ffff:10.0.0.0/104', null).trusts('10.9.9.9', 0));
  assert.ok(compileMatcher('0.0.0.0/0', null).trusts('::ffff:8.8.8.8', 0));
  assert.not.ok(compileMatcher('0.0.0.0/0', null).trusts('2001:db8::1', 0));
  assert.ok(compileMatcher('::/0', null).trusts('8.8.8.8', 0));
});

test('compileMatcher: malformed entries throw at start-up, naming the entry', () => {
  const bad = [
    '127.1',
    '0x7f.0.0.1',
    '010.0.0.1',
    '2130706433x',
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/08',
    '10.0.0.0/',
    '10.0.0.0/255.0.255.0',
    'fe80::1%eth0',
    'localhost',
    '1.2.3.4.5',
    '[::1]',
    '::ffff:010.0.0.1',
  ];
  for (const entry of bad) {
    assert.throws(
      () => compileMatcher([entry], null),
      (e: Error) => e instanceof TypeError && e.message.includes(JSON.stringify(entry)),
      entry,
    );
  }
  assert.throws(() => compileMatcher('10.0.0.1, 3', null), /hop count cannot be combined/);
  assert.throws(() => compileMatcher(-1, null), /non-negative integer/);
  assert.throws(() => compileMatcher(1.5, null), /non-negative integer/);
  assert.throws(() => compileMatcher([42 as unknown as string], null), /must be strings/);
  assert.throws(() => compileMatcher({} as unknown as string, null), /trustedProxies must be/);
});

test("compileMatcher: '*' trusts all and warns once", () => {
  const log = memoryLogger();
  const m = compileMatcher('*', log);
  assert.is(m.kind, TRUST_KIND.ALL);
  assert.ok(m.trusts('198.51.100.1', 0));
  assert.ok(m.trusts('garbage', 9));
  assert.equal(log.warnings, [TRUST_ALL_WARNING]);
  assert.match(TRUST_ALL_WARNING, /spoof|choose the client address/);
  const mixed = memoryLogger();
  assert.is(compileMatcher(['10.0.0.1', '*'], mixed).kind, TRUST_KIND.ALL);
  assert.is(mixed.warnings.length, 1);
});

test('compileMatcher: hop counts', () => {
  const m = compileMatcher(2, null);
  assert.is(m.kind, TRUST_KIND.HOPS);
  assert.ok(m.trusts('anything', 0));
  assert.ok(m.trusts('anything', 1));
  assert.not.ok(m.trusts('anything', 2));
  assert.is(compileMatcher(0, null).kind, TRUST_KIND.NONE);
  assert.is(compileMatcher('3', null).hops, 3);
});

test('compileMatcher: empty lists trust nothing', () => {
  for (const value of ['', ' , ', [] as string[]]) {
    const m = compileMatcher(value, null);
    assert.is(m.kind, TRUST_KIND.NONE);
    assert.not.ok(m.trusts('127.0.0.1', 0));
  }
});

test('compileMatcher: functions get the bare address and the hop', () => {
  const calls: [string, number][] = [];
  const m = compileMatcher((a, hop) => {
    calls.push([a, hop]);
    return a === '10.0.0.1';
  }, null);
  assert.is(m.kind, TRUST_KIND.FUNCTION);
  assert.ok(m.trusts('10.0.0.1', 0));
  assert.not.ok(m.trusts('fe80::1%eth0', 3));
  const r = new NodeResult();
  const buf = Buffer.from('[2001:db8::1]:80');
  parseNode(buf, 0, buf.length, SYNTAX.LIST, r);
  assert.not.ok(m.trustsNode(buf, r, 2));
  assert.equal(calls, [
    ['10.0.0.1', 0],
    ['fe80::1', 3],
    ['2001:db8::1', 2],
  ]);
});

test('ProxyMatcher.trusts: cached per peer string, same answers', () => {
  const m = compileMatcher('10.0.0.0/8', null);
  for (let i = 0; i < 3000; i++) {
    const a = `10.0.${(i >> 8) & 255}.${i & 255}`;
    assert.ok(m.trusts(a, 0));
    assert.ok(m.trusts(a, 0));
    assert.not.ok(m.trusts(`11.0.0.${i & 255}`, 0));
  }
});

test('ProxyMatcher.matchWords agrees with ipaddr.js match() on random ranges', () => {
  let seed = 9;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const r = new NodeResult();
  for (let i = 0; i < 300; i++) {
    const v6 = rnd(2) === 0;
    const base = v6 ? Array.from({ length: 8 }, () => rnd(4).toString(16)).join(':') : Array.from({ length: 4 }, () => String(rnd(4))).join('.');
    const bits = rnd(v6 ? 129 : 33);
    const cidr = `${base}/${bits}`;
    const m = compileMatcher([cidr], null);
    const range = ipaddr.parseCIDR(cidr);
    for (let k = 0; k < 40; k++) {
      const addr = v6 ? Array.from({ length: 8 }, () => rnd(4).toString(16)).join(':') : Array.from({ length: 4 }, () => String(rnd(4))).join('.');
      const buf = Buffer.from(addr);
      parseNode(buf, 0, buf.length, SYNTAX.LIST, r);
      const expected = ipaddr.parse(addr).match(range);
      assert.is(m.matchWords(r.words), expected, `${addr} in ${cidr}`);
      assert.is(m.trusts(addr, 0), expected, `${addr} in ${cidr} (string)`);
    }
  }
});

test.run();
