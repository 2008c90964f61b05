// headText()/flatHeadText(): the last field list is kept, and a repeat gives the same text
// and flags; anything different (a value, a name, one field more) is read again and checked.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { flatHeadText, head, headText } from '../../src/fetch/header-fields.js';

const Fields = suite('headText memo');

function flags(): [boolean, number, boolean] {
  return [head.contentType, head.contentLength, head.connection];
}

Fields('a record repeated: same text string and flags; a changed value or name is read again', () => {
  const a = headText({ 'Content-Type': 'application/json' });
  assert.is(a, 'Content-Type: application/json\r\n');
  assert.equal(flags(), [true, -1, false]);
  headText({ 'X-Other': '1', Connection: 'close' });
  assert.equal(flags(), [false, -1, true]);
  const again = headText({ 'Content-Type': 'application/json' });
  assert.is(again, a);
  assert.equal(flags(), [true, -1, false]);
  assert.is(headText({ 'Content-Type': 'application/json' }), a);
  assert.equal(flags(), [true, -1, false], 'flags restored on a hit');
  assert.is(headText({ 'Content-Type': 'text/html' }), 'Content-Type: text/html\r\n');
  assert.is(headText({ 'Content-Type': 'text/html', 'X-A': 'b' }), 'Content-Type: text/html\r\nX-A: b\r\n');
  assert.is(headText({ 'Content-Type': 'text/html' }), 'Content-Type: text/html\r\n', 'one field fewer');
  assert.is(headText({ 'Content-Typf': 'text/html' }), 'Content-Typf: text/html\r\n');
  assert.equal(flags(), [false, -1, false]);
});

Fields('a record with a bad value is refused on every call, not only the first', () => {
  for (let i = 0; i < 3; i++) assert.throws(() => headText({ 'X-A': 'a\r\nSet-Cookie: x=1' }), TypeError);
  headText({ 'X-A': 'ok' });
  assert.throws(() => headText({ 'X-A': 'ok\r\nX-B: 1' }), TypeError);
});

Fields("srvx's flat list: a new Content-Length is recorded and checked, the rest kept", () => {
  const t = flatHeadText(['content-type', 'application/json', 'content-length', '27']);
  assert.is(t, 'content-type: application/json\r\n');
  assert.equal(flags(), [true, 27, false]);
  assert.is(flatHeadText(['content-type', 'application/json', 'content-length', '27']), t);
  assert.equal(flags(), [true, 27, false]);
  assert.is(flatHeadText(['content-type', 'application/json', 'content-length', '11']), t);
  assert.equal(flags(), [true, 11, false]);
  assert.throws(() => flatHeadText(['content-type', 'application/json', 'content-length', '1\r\nX: y']), TypeError);
  assert.is(flatHeadText(['content-type', 'application/json', 'content-length', 'x1']), t);
  assert.equal(flags(), [true, -1, false], 'an unreadable length is not recorded');
  assert.is(flatHeadText(['content-type', 'text/plain', 'content-length', '2']), 'content-type: text/plain\r\n');
  assert.is(flatHeadText(['x-a', '1']), 'x-a: 1\r\n');
  assert.equal(flags(), [false, -1, false]);
  assert.throws(() => flatHeadText(['x-a', '1\n']), TypeError);
  assert.throws(() => flatHeadText(['x-a', '1\n']), TypeError);
});

Fields.run();
