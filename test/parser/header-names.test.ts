// Well-known header names interned as ids (src/parser/header-names.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H, HEADER_NAMES, headerId, headerIdOf } from '../../src/parser/header-names.js';

const id = (name: string): number => {
  const b = Buffer.from(`xx${name}yy`, 'latin1');
  return headerId(b, 2, 2 + name.length);
};

test('every well-known name maps to its id, in any case', () => {
  for (let i = 1; i < HEADER_NAMES.length; i++) {
    const name = HEADER_NAMES[i];
    assert.is(id(name), i, name);
    assert.is(id(name.toUpperCase()), i, name.toUpperCase());
    assert.is(headerIdOf(name.toUpperCase()), i);
  }
  assert.is(id('Content-Length'), H.CONTENT_LENGTH);
  assert.is(id('X-Forwarded-For'), H.X_FORWARDED_FOR);
});

test('other names, near misses and prefixes are H.OTHER', () => {
  for (const name of ['x-custom', 'hos', 'hosts', 'content-lengtH2', 'content_length', 'cookie2', '', 'h0st']) {
    assert.is(id(name), H.OTHER, name);
    assert.is(headerIdOf(name), H.OTHER, name);
  }
});

test('ids and names agree', () => {
  assert.is(HEADER_NAMES[H.HOST], 'host');
  assert.is(HEADER_NAMES[H.TRANSFER_ENCODING], 'transfer-encoding');
  assert.is(new Set(HEADER_NAMES).size, HEADER_NAMES.length);
});

test.run();
