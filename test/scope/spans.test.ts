// SpanRecorder: pieces of one span joined, spans copied out of a buffer about to be
// reused, later pieces appended to the copy, the header-count limit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_HEADERS } from '../../src/scope/headers.js';
import { Scope } from '../../src/scope/scope.js';
import { SpanRecorder } from '../../src/scope/spans.js';

function fresh(buf: Buffer): { scope: Scope; rec: SpanRecorder } {
  const scope = new Scope();
  scope.resetRequest();
  scope.raw.buf = buf;
  const rec = new SpanRecorder();
  rec.reset();
  return { scope, rec };
}

test('SpanRecorder: a head in one buffer stays spans over it', () => {
  const buf = Buffer.from('GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
  const { scope, rec } = fresh(buf);
  rec.url(scope, buf, 4, 4);
  assert.ok(rec.field(scope, buf, 19, 4));
  rec.value(scope, buf, 25, 1);
  rec.end();
  scope.raw.intern();
  assert.is(scope.raw.buf, buf);
  assert.is(scope.raw.get('host'), 'x');
  assert.is(scope.rawPath, '/a');
  assert.is(rec.headBytes, 4 + 4 + 4 + 1);
});

test('SpanRecorder: a span continued in the next callback is one span', () => {
  const buf = Buffer.from('X-Long-Name: value', 'latin1');
  const { scope, rec } = fresh(buf);
  assert.ok(rec.field(scope, buf, 0, 3));
  assert.ok(rec.field(scope, buf, 3, 8));
  rec.value(scope, buf, 13, 2);
  rec.value(scope, buf, 15, 3);
  assert.is(scope.raw.size, 1);
  assert.is(scope.raw.nameAt(0), 'x-long-name');
  assert.is(scope.raw.valueAt(0), 'value');
});

test('SpanRecorder: copy() rebases the spans; later pieces from another read are appended', () => {
  const first = Buffer.from('GET /path HTTP/1.1\r\nAcc', 'latin1');
  const { scope, rec } = fresh(first);
  rec.url(scope, first, 4, 5);
  assert.ok(rec.field(scope, first, 20, 3));
  rec.copy(scope);
  first.fill(0x21); // the read buffer is reused
  assert.ok(rec.owned);
  const second = Buffer.from('ept: */*\r\nHost: h\r\n\r\n', 'latin1');
  assert.ok(rec.field(scope, second, 0, 3));
  rec.value(scope, second, 5, 3);
  assert.ok(rec.field(scope, second, 10, 4));
  rec.value(scope, second, 16, 1);
  scope.raw.intern();
  assert.is(scope.raw.buf, rec.own);
  assert.is(scope.rawPath, '/path');
  assert.equal(
    [...scope.raw.entries()],
    [
      ['accept', '*/*'],
      ['host', 'h'],
    ],
  );
});

test('SpanRecorder: the copy grows when a long head keeps arriving', () => {
  const { scope, rec } = fresh(Buffer.from('GET / HTTP/1.1\r\n', 'latin1'));
  rec.url(scope, scope.raw.buf, 4, 1);
  rec.copy(scope);
  const big = Buffer.alloc(5000, 0x61);
  assert.ok(rec.field(scope, big, 0, 1));
  rec.value(scope, big, 0, 5000);
  assert.is(scope.raw.valueAt(0).length, 5000);
  assert.ok(rec.own!.length >= 5002);
});

test('SpanRecorder: the line after MAX_HEADERS is refused', () => {
  const buf = Buffer.from('a: b', 'latin1');
  const { scope, rec } = fresh(buf);
  for (let i = 0; i < MAX_HEADERS; i++) {
    assert.ok(rec.field(scope, buf, 0, 1));
    rec.value(scope, buf, 3, 1);
  }
  assert.not.ok(rec.field(scope, buf, 0, 1));
});

/** Records the head `text` (one read) the way llhttp reports it: URL, then each name and (trimmed) value. */
function recordHead(text: string): { buf: Buffer; scope: Scope; rec: SpanRecorder } {
  const buf = Buffer.from(text, 'latin1');
  const { scope, rec } = fresh(buf);
  const lineEnd = text.indexOf('\r\n');
  const urlStart = text.indexOf(' ') + 1;
  rec.url(scope, buf, urlStart, text.lastIndexOf(' ', lineEnd) - urlStart);
  for (let at = lineEnd + 2; text.startsWith('\r\n', at) === false; ) {
    const end = text.indexOf('\r\n', at);
    const colon = text.indexOf(':', at);
    assert.ok(rec.field(scope, buf, at, colon - at));
    const value = text.slice(colon + 1, end).trim();
    rec.value(scope, buf, value.length > 0 ? text.indexOf(value, colon + 1) : colon + 1, value.length);
    at = end + 2;
  }
  rec.end();
  return { buf, scope, rec };
}

for (const [name, padding] of [
  ['one range, separators and all', ''],
  ['span by span when the head is mostly padding', ' '.repeat(400)],
] as const) {
  test(`SpanRecorder: copy() of a head in one read, ${name}`, () => {
    const head = `GET /users/7?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Empty:\r\nCookie: a=1; b=2${padding}\r\nAccept: */*\r\n\r\n`;
    const { buf, scope, rec } = recordHead(head);
    rec.copy(scope);
    buf.fill(0x21); // the shared read buffer is overwritten by the next read
    assert.ok(rec.owned);
    assert.is(scope.raw.buf, rec.own);
    const spanBytes = '/users/7?x=1'.length + 'Host'.length + 'example.com'.length + 'X-Empty'.length + 'Cookie'.length + 'a=1; b=2'.length + 'Accept'.length + '*/*'.length;
    const range = head.indexOf('*/*') + 3 - head.indexOf('/users');
    assert.is(rec.ownLen, padding === '' ? range : spanBytes);
    scope.raw.intern();
    assert.is(scope.rawPath, '/users/7');
    assert.is(scope.queryString, 'x=1');
    assert.equal(
      [...scope.raw.entries()],
      [
        ['host', 'example.com'],
        ['x-empty', ''],
        ['cookie', 'a=1; b=2'],
        ['accept', '*/*'],
      ],
    );
  });
}

test.run();
