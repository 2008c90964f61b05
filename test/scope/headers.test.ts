// Headers: the zero-copy view over header spans (src/scope/headers.ts), built by hand
// the way the connection fills it from llhttp callbacks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Headers, MAX_HEADERS } from '../../src/scope/headers.js';
import { H } from '../../src/parser/header-names.js';

/** Lays `lines` out as 'name: value\r\n' in one buffer and records their spans. */
function headersOf(lines: [string, string][]): Headers {
  const h = new Headers();
  let text = '';
  const spans: number[] = [];
  for (const [name, value] of lines) {
    const ns = text.length;
    text += name;
    const ne = text.length;
    text += ': ';
    const vs = text.length;
    text += value;
    spans.push(ns, ne, vs, text.length);
    text += '\r\n';
  }
  h.buf = Buffer.from(text, 'latin1');
  h.size = lines.length;
  h.spans.set(spans);
  h.intern();
  return h;
}

/** Fills the (reset) view `h` with the lines of another head, ids included, as a reused view is filled: intern() not run yet. */
function refill(h: Headers, lines: [string, string][]): void {
  const again = headersOf(lines);
  h.buf = again.buf;
  h.size = again.size;
  h.spans.set(again.spans.subarray(0, lines.length * 4));
  h.ids.set(again.ids.subarray(0, lines.length));
}

test('get(): case-insensitive, null when absent, repeated lines joined with ", "', () => {
  const h = headersOf([
    ['Host', 'a.example'],
    ['X-A', '1'],
    ['Accept', 'text/html'],
    ['x-a', '2'],
    ['X-A', '3'],
  ]);
  assert.is(h.get('host'), 'a.example');
  assert.is(h.get('HOST'), 'a.example');
  assert.is(h.get('x-a'), '1, 2, 3');
  assert.is(h.get('X-a'), '1, 2, 3');
  assert.is(h.get('accept'), 'text/html');
  assert.is(h.get('x-b'), null);
  assert.ok(h.has('X-A'));
  assert.not.ok(h.has('cookie'));
});

test('intern(): well-known names get their id; others H.OTHER', () => {
  const h = headersOf([
    ['Host', 'x'],
    ['CONTENT-LENGTH', '5'],
    ['Transfer-Encoding', 'chunked'],
    ['X-Forwarded-For', '1.2.3.4'],
    ['X-Other', 'y'],
  ]);
  assert.equal([...h.ids.subarray(0, h.size)], [H.HOST, H.CONTENT_LENGTH, H.TRANSFER_ENCODING, H.X_FORWARDED_FOR, H.OTHER]);
  assert.is(h.indexOfId(H.CONTENT_LENGTH), 1);
  assert.is(h.indexOfId(H.HOST, 1), -1);
  assert.is(h.indexOfId(H.COOKIE), -1);
});

test('intern(): heads in different buffers, interned in turn, and one buffer rewritten in place', () => {
  // headerId() compares through a DataView cached for the last buffer: switching buffers must switch views.
  const a = headersOf([
    ['Host', 'a'],
    ['X-Custom', '1'],
  ]);
  const b = headersOf([
    ['x-custom', '1'],
    ['HOST', 'b'],
    ['Cookie', 'c=1'],
  ]);
  for (let round = 0; round < 3; round++) {
    a.intern();
    assert.equal([...a.ids.subarray(0, 2)], [H.HOST, H.OTHER]);
    b.intern();
    assert.equal([...b.ids.subarray(0, 3)], [H.OTHER, H.HOST, H.COOKIE]);
  }
  // The same Buffer object with new bytes (as the shared read buffer is reused): the cached view sees them.
  a.buf.write('Cost', 0, 'latin1');
  a.intern();
  assert.is(a.ids[0], H.OTHER);
  a.buf.write('hOsT', 0, 'latin1');
  a.intern();
  assert.is(a.ids[0], H.HOST);
});

test('intern(): trailing spaces and tabs leave the value span; inner whitespace stays', () => {
  const h = headersOf([
    ['A', 'v  '],
    ['B', 'x\t \t'],
    ['C', 'a b\tc '],
    ['D', '   '],
    ['E', ''],
  ]);
  assert.equal(
    [...h.entries()],
    [
      ['a', 'v'],
      ['b', 'x'],
      ['c', 'a b\tc'],
      ['d', ''],
      ['e', ''],
    ],
  );
});

test('nameAt() lowercases, valueAt() keeps case and latin1 bytes', () => {
  const h = headersOf([
    ['X-MiXeD', 'VaLuE \xe9\xff'],
    ['Content-Type', 'Text/HTML'],
  ]);
  assert.is(h.nameAt(0), 'x-mixed');
  assert.is(h.valueAt(0), 'VaLuE \xe9\xff');
  assert.is(h.nameAt(1), 'content-type');
  assert.is(h.valueAt(1), 'Text/HTML');
});

test('entries() and the iterator: one [name, value] per line, in order', () => {
  const lines: [string, string][] = [
    ['Z', '1'],
    ['a', '2'],
    ['Z', '3'],
  ];
  const h = headersOf(lines);
  assert.equal(
    [...h.entries()],
    [
      ['z', '1'],
      ['a', '2'],
      ['z', '3'],
    ],
  );
  assert.equal([...h], [...h.entries()]);
  assert.is(h.size, 3);
});

test('valueEquals(): ASCII case-insensitive against a lowercase literal, exact length', () => {
  const h = headersOf([
    ['Expect', '100-Continue'],
    ['Connection', 'close '],
    ['X', 'closed'],
  ]);
  assert.ok(h.valueEquals(0, '100-continue'));
  assert.ok(h.valueEquals(1, 'close'), 'after the trailing space is trimmed');
  assert.not.ok(h.valueEquals(2, 'close'));
});

test('reset() empties the view; a reused view shows only the new lines', () => {
  const h = headersOf([
    ['X-Secret', 's'],
    ['Host', 'a'],
  ]);
  h.reset();
  assert.is(h.size, 0);
  assert.is(h.get('x-secret'), null);
  assert.equal([...h], []);
  refill(h, [['Host', 'b']]);
  h.intern();
  assert.is(h.get('x-secret'), null);
  assert.is(h.get('host'), 'b');
});

test('indexOfId(): first line at or after `from`, every repeat found, -1 when absent', () => {
  const h = headersOf([
    ['Cookie', 'a=1'],
    ['Host', 'a'],
    ['X-A', '1'],
    ['cookie', 'b=2'],
    ['Accept', '*/*'],
    ['COOKIE', 'c=3'],
  ]);
  assert.is(h.indexOfId(H.HOST), 1);
  assert.is(h.indexOfId(H.HOST, 1), 1);
  assert.is(h.indexOfId(H.HOST, 2), -1, 'one Host line: none after it');
  assert.is(h.indexOfId(H.TRANSFER_ENCODING), -1);
  const cookies: number[] = [];
  for (let i = h.indexOfId(H.COOKIE); i >= 0; i = h.indexOfId(H.COOKIE, i + 1)) cookies.push(i);
  assert.equal(cookies, [0, 3, 5]);
  assert.is(h.indexOfId(H.OTHER), 2);
  // Reused for a head with other lines: nothing of the previous head's answers is left,
  // neither before intern() (the lines are scanned) nor after it.
  h.reset();
  refill(h, [
    ['Host', 'b'],
    ['Host', 'c'],
    ['Expect', '100-continue'],
  ]);
  assert.is(h.indexOfId(H.ACCEPT), -1, "before intern(): not the previous head's line");
  assert.is(h.indexOfId(H.EXPECT), 2, 'before intern(): not absent because the previous head had none');
  h.intern();
  assert.is(h.indexOfId(H.COOKIE), -1);
  assert.is(h.indexOfId(H.HOST), 0);
  assert.is(h.indexOfId(H.HOST, 1), 1, 'the second Host line (checkHead refuses the pair)');
  assert.is(h.indexOfId(H.HOST, 2), -1);
  assert.ok(h.repeats(H.HOST));
});

test('repeats(): more than one line with the id, interned or not', () => {
  const h = headersOf([
    ['Host', 'a'],
    ['Cookie', 'a=1'],
    ['cookie', 'b=2'],
  ]);
  assert.not.ok(h.repeats(H.HOST));
  assert.ok(h.repeats(H.COOKIE));
  assert.not.ok(h.repeats(H.EXPECT));
  h.reset();
  refill(h, [
    ['Host', 'a'],
    ['Host', 'b'],
  ]);
  assert.ok(h.repeats(H.HOST), 'before intern(): from the lines, not the previous bits');
  assert.not.ok(h.repeats(H.COOKIE));
});

test('room for MAX_HEADERS lines', () => {
  const lines: [string, string][] = Array.from({ length: MAX_HEADERS }, (_, i) => [`X-${i}`, String(i)]);
  const h = headersOf(lines);
  assert.is(h.size, MAX_HEADERS);
  assert.is(h.get(`x-${MAX_HEADERS - 1}`), String(MAX_HEADERS - 1));
});

test.run();
