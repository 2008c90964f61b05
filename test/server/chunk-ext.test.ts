// countChunkExt over the framing bytes between body spans, as the connection hands them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LINE, countChunkExt, type ChunkLineState } from '../../src/server/chunk-ext.js';

function state(): ChunkLineState {
  return { lineState: LINE.BEFORE, lineDigits: 0, extBytes: 0 };
}

/** Counts `gap` in pieces of `piece` bytes (as reads would cut it); returns [counted, state]. */
function count(gap: string, piece = gap.length): [number, ChunkLineState] {
  const st = state();
  const buf = Buffer.from(gap, 'latin1');
  let n = 0;
  for (let i = 0; i < buf.length; i += piece) n += countChunkExt(st, buf, i, Math.min(buf.length, i + piece));
  return [n, st];
}

test('countChunkExt: framing without extensions counts nothing', () => {
  // The first gap starts after the head's last span (a value's trailing OWS, the empty line).
  for (const gap of [' \r\n\r\n5\r\n', '\r\n1a\r\n', '\r\n0\r\n\r\n', '\r\n\r\nFFFF\r\n']) {
    const [n, st] = count(gap);
    assert.is(n, 0, JSON.stringify(gap));
    assert.is(st.lineState, LINE.AFTER, JSON.stringify(gap));
  }
});

test('countChunkExt: bytes after the first ; up to CR are counted, whole or byte by byte', () => {
  for (const piece of [100, 1, 3]) {
    const [n, st] = count('\r\n5;name=value;b="x;y"\r\n', piece);
    assert.is(n, 'name=value;b="x;y"'.length, String(piece));
    assert.is(st.extBytes, n);
    assert.is(st.lineState, LINE.AFTER);
  }
});

test('countChunkExt: stops at the end of the chunk-size line (trailers and what follows are not scanned)', () => {
  const [n, st] = count('\r\n0;e\r\ntrailer: a;b\r\n\r\nPOST /next;x HTTP/1.1\r\n');
  assert.is(n, 1);
  assert.is(st.lineState, LINE.AFTER);
});

test('countChunkExt: chunk-size digits past 16 are counted (leading zeros llhttp accepts)', () => {
  assert.is(count('\r\n' + '0'.repeat(15) + '5\r\n')[0], 0);
  assert.is(count('\r\n' + '0'.repeat(100) + '5\r\n')[0], 101 - 16);
  assert.is(count('\r\n' + '0'.repeat(100) + '5\r\n', 7)[0], 101 - 16);
});

test.run();
