import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asciiScratch, equalsLower, hexValue, isHex, isTchar, lowerAt } from '../../src/http/ascii.js';

const b = (s: string) => Buffer.from(s, 'latin1');

test('lowerAt', () => {
  assert.ok(lowerAt(b('xxChunKed'), 2, 'chunked'));
  assert.not.ok(lowerAt(b('xxchunkex'), 2, 'chunked'));
  // Only A-Z fold: '\r' | 0x20 would be '-'.
  assert.not.ok(lowerAt(b('a\rb'), 0, 'a-b'));
  assert.not.ok(lowerAt(b('@'), 0, '`'));
});

test('equalsLower', () => {
  assert.ok(equalsLower(b('HTTPS'), 0, 5, 'https'));
  assert.ok(equalsLower(b('xUnknown'), 1, 8, 'unknown'));
  assert.not.ok(equalsLower(b('https'), 0, 4, 'https'));
  assert.not.ok(equalsLower(b('httpss'), 0, 6, 'https'));
});

test('hexValue / isHex', () => {
  assert.is(hexValue(0x30), 0);
  assert.is(hexValue('a'.charCodeAt(0)), 10);
  assert.is(hexValue('F'.charCodeAt(0)), 15);
  for (const c of 'gG:/@` ') assert.is(hexValue(c.charCodeAt(0)), -1, c);
  assert.ok(isHex('e'.charCodeAt(0)));
  assert.not.ok(isHex('x'.charCodeAt(0)));
});

test('isTchar: RFC 9110 §5.6.2', () => {
  for (const c of "!#$%&'*+-.^_`|~09azAZ") assert.ok(isTchar(c.charCodeAt(0)), c);
  for (const c of '"(),/:;<=>?@[\\]{} \t\x7f\x00') assert.not.ok(isTchar(c.charCodeAt(0)), JSON.stringify(c));
  assert.not.ok(isTchar(0xe9));
  assert.not.ok(isTchar(0x141));
});

test('asciiScratch', () => {
  const s = asciiScratch('Host:1');
  assert.ok(s !== null);
  assert.is(Buffer.from(s!.subarray(0, 6)).toString('latin1'), 'Host:1');
  assert.is(asciiScratch('Łódź'), null);
  assert.is(asciiScratch('é'), null);
  const long = 'x'.repeat(2000);
  assert.is(asciiScratch(long)!.length >= 2000, true);
});

test.run();
