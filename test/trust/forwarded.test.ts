import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EL, ForwardedTable, MAX_ELEMENTS, SLOT } from '../../src/trust/forwarded.js';
import { makeScope } from './helpers.js';

interface El {
  invalid: boolean;
  for?: string;
  proto?: string;
  host?: string;
}

function parse(...values: string[]): El[] {
  const h = makeScope(
    ['127.0.0.1', 1],
    values.map((v) => 'Forwarded: ' + v),
  ).raw;
  const t = new ForwardedTable();
  t.parse(h);
  const out: El[] = [];
  for (let k = Math.min(t.count, MAX_ELEMENTS); k >= 1; k--) {
    const o = t.fromRight(k);
    const f = t.table[o + SLOT.FLAGS];
    const el: El = { invalid: (f & EL.INVALID) !== 0 };
    const span = (s: number, bad: number) => ((f & bad) !== 0 ? '<bad>' : h.buf.latin1Slice(t.table[o + s], t.table[o + s + 1]));
    if (f & EL.FOR) el.for = span(SLOT.FOR_START, EL.FOR_BAD);
    if (f & EL.PROTO) el.proto = span(SLOT.PROTO_START, EL.PROTO_BAD);
    if (f & EL.HOST) el.host = span(SLOT.HOST_START, EL.HOST_BAD);
    out.push(el);
  }
  return out;
}

test('ForwardedTable.parse: RFC 7239 §4 examples', () => {
  assert.equal(parse('for="_gazonk"'), [{ invalid: false, for: '_gazonk' }]);
  assert.equal(parse('For="[2001:db8:cafe::17]:4711"'), [{ invalid: false, for: '[2001:db8:cafe::17]:4711' }]);
  assert.equal(parse('for=192.0.2.60;proto=http;by=203.0.113.43'), [{ invalid: false, for: '192.0.2.60', proto: 'http' }]);
  assert.equal(parse('for=192.0.2.43, for=198.51.100.17'), [
    { invalid: false, for: '192.0.2.43' },
    { invalid: false, for: '198.51.100.17' },
  ]);
});

test('ForwardedTable.parse: lists, empties, OWS, repeated lines', () => {
  assert.equal(parse('for=a , ,for=b', ' ; ', 'proto=https;host="h:1"'), [
    { invalid: false, for: 'a' },
    { invalid: false, for: 'b' },
    { invalid: false, proto: 'https', host: 'h:1' },
  ]);
});

test('ForwardedTable.parse: errors invalidate one element and resume after the next comma', () => {
  assert.equal(parse('for=a=b, for=c'), [
    { invalid: true, for: 'a' },
    { invalid: false, for: 'c' },
  ]);
  assert.equal(parse('for=[::1], for=c'), [
    { invalid: true, for: '<bad>' },
    { invalid: false, for: 'c' },
  ]);
  assert.equal(parse('for = a, for=c'), [{ invalid: true }, { invalid: false, for: 'c' }]);
  assert.equal(parse('for="a,b";proto=http, for=c'), [
    { invalid: false, for: 'a,b', proto: 'http' },
    { invalid: false, for: 'c' },
  ]);
  assert.equal(parse('for="a\\"b", for=c'), [
    { invalid: false, for: '<bad>' },
    { invalid: false, for: 'c' },
  ]);
  assert.equal(parse('for="a\x01b, x", for=c'), [{ invalid: true }, { invalid: false, for: 'c' }]);
  // An unterminated quote swallows the rest of its line, not the next line.
  assert.equal(parse('for="a, for=c', 'for=d'), [{ invalid: true }, { invalid: false, for: 'd' }]);
  assert.equal(parse('for=a;for=b'), [{ invalid: true, for: 'b' }]);
  assert.equal(parse('by=a;by=b;for=c'), [{ invalid: true, for: 'c' }]);
  assert.equal(parse('for='), [{ invalid: false, for: '<bad>' }]);
  assert.equal(parse('for=""'), [{ invalid: false, for: '<bad>' }]);
});

test('ForwardedTable: keeps the rightmost MAX_ELEMENTS', () => {
  const h = makeScope(['127.0.0.1', 1], ['Forwarded: ' + Array.from({ length: MAX_ELEMENTS + 5 }, (_, i) => `for=${i}`).join(',')]).raw;
  const t = new ForwardedTable();
  t.parse(h);
  assert.is(t.count, MAX_ELEMENTS + 5);
  const o = t.fromRight(1);
  assert.is(h.buf.latin1Slice(t.table[o + SLOT.FOR_START], t.table[o + SLOT.FOR_END]), String(MAX_ELEMENTS + 4));
  assert.ok(t.fromRight(MAX_ELEMENTS) >= 0);
  assert.is(t.fromRight(MAX_ELEMENTS + 1), -1);
  assert.is(t.fromRight(0), -1);
});

test.run();
