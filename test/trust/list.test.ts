import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H } from '../../src/parser/header-names.js';
import { ListCursor } from '../../src/trust/list.js';
import { makeScope } from './helpers.js';

function items(lines: string[], id: number = H.X_FORWARDED_FOR): string[] {
  const h = makeScope(['127.0.0.1', 1], lines).raw;
  const c = new ListCursor();
  c.reset(h, id);
  const out: string[] = [];
  while (c.prev()) out.push(h.buf.latin1Slice(c.start, c.end));
  return out;
}

test('ListCursor.prev: right to left across repeated lines, empties skipped, OWS trimmed', () => {
  assert.equal(items(['X-Forwarded-For: a, b', 'Host: x', 'x-forwarded-for: c ,, \t d\t,']), ['d', 'c', 'b', 'a']);
  assert.equal(items(['X-Forwarded-For: ']), []);
  assert.equal(items(['X-Forwarded-For: ,,, ']), []);
  assert.equal(items(['Host: a']), []);
  assert.equal(items(['X-Forwarded-For: single']), ['single']);
  assert.equal(items(['X-Forwarded-For: a b']), ['a b']);
});

test('ListCursor.count and nth', () => {
  const h = makeScope(['127.0.0.1', 1], ['X-Forwarded-Proto: https, http', 'X-Forwarded-Proto: wss']).raw;
  const c = new ListCursor();
  assert.is(c.count(h, H.X_FORWARDED_PROTO), 3);
  assert.is(c.count(h, H.X_FORWARDED_HOST), 0);
  assert.ok(c.nth(h, H.X_FORWARDED_PROTO, 3));
  assert.is(h.buf.latin1Slice(c.start, c.end), 'https');
  assert.not.ok(c.nth(h, H.X_FORWARDED_PROTO, 4));
});

test.run();
