// internedLatin1 (src/scope/interned.ts): a repeated span gives the same string, and no
// span ever gives another span's string, whatever the cache holds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { internedLatin1 } from '../../src/scope/interned.js';

const span = (text: string, pad = 3): [Buffer, number, number] => {
  const buf = Buffer.from(`${'x'.repeat(pad)}${text}yy`, 'latin1');
  return [buf, pad, pad + text.length];
};

test('the same bytes give the same string object, from another buffer and offset', () => {
  const a = internedLatin1(...span('/users/7', 1));
  const b = internedLatin1(...span('/users/7', 9));
  assert.is(a, '/users/7');
  assert.ok(Object.is(a, b));
});

test('every span reads back as its own bytes, over thousands of paths that share slots', () => {
  // Same length and same middle and last bytes: the cases that land in one slot.
  const paths: string[] = [];
  for (let i = 0; i < 2000; i++) paths.push(`/${String.fromCharCode(97 + (i % 26))}${i.toString(36).padStart(3, '0')}/z`);
  for (let round = 0; round < 3; round++) {
    for (const p of paths) assert.is(internedLatin1(...span(p)), p);
  }
  // A shared buffer rewritten in place: the cache kept its own copy of the bytes.
  const buf = Buffer.from('/aaaa', 'latin1');
  assert.is(internedLatin1(buf, 0, 5), '/aaaa');
  buf.write('/aaab', 0, 'latin1');
  assert.is(internedLatin1(buf, 0, 5), '/aaab');
});

test('latin1 bytes, long spans and an empty span', () => {
  const high = Buffer.from([0x2f, 0xe9, 0xff, 0x80]);
  assert.is(internedLatin1(high, 0, 4), high.latin1Slice(0, 4));
  const long = `/${'p'.repeat(200)}`;
  assert.is(internedLatin1(...span(long)), long);
  assert.is(internedLatin1(Buffer.from('abc'), 1, 1), '');
});

test.run();
