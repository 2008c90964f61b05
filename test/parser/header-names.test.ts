// Well-known header names interned as ids (src/parser/header-names.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H, HEADER_NAMES, headerId, headerIdOf } from '../../src/parser/header-names.js';

const id = (name: string): number => {
  const b = Buffer.from(`xx${name}yy`, 'latin1');
  return headerId(new DataView(b.buffer, b.byteOffset, b.length), 2, 2 + name.length);
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

test('one byte changed anywhere, at any alignment, is another name', () => {
  // The compare goes 4 bytes at a time from `start`: every position and a few offsets.
  const swaps = ['!', '#', '_', '~', '0', 'q', 'Z', '.', '`'];
  for (let i = 1; i < HEADER_NAMES.length; i++) {
    const name = HEADER_NAMES[i];
    for (let lead = 0; lead < 5; lead++) {
      const b = Buffer.from(`${'x'.repeat(lead)}${name.toUpperCase()}:`, 'latin1');
      const view = new DataView(b.buffer, b.byteOffset, b.length);
      assert.is(headerId(view, lead, lead + name.length), i, `${name} at ${lead}`);
      for (let at = 0; at < name.length; at++) {
        for (const c of swaps) {
          if ((c.charCodeAt(0) | 0x20) === name.charCodeAt(at)) continue;
          const changed = Buffer.from(b);
          changed[lead + at] = c.charCodeAt(0);
          assert.is(headerId(new DataView(changed.buffer, changed.byteOffset, changed.length), lead, lead + name.length), H.OTHER, `${changed.toString('latin1')}`);
        }
      }
    }
  }
});

test('ids and names agree', () => {
  assert.is(HEADER_NAMES[H.HOST], 'host');
  assert.is(HEADER_NAMES[H.TRANSFER_ENCODING], 'transfer-encoding');
  assert.is(new Set(HEADER_NAMES).size, HEADER_NAMES.length);
});

test.run();
