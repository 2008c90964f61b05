// The one response field grammar (src/http/fields.ts), checked exhaustively over every
// code unit 0x0000-0xFFFF where the rule is per character.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIELD, assertField, checkName, checkValue, fieldError, isReason, isStatus, parseLength } from '../../src/http/fields.js';

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

test('checkName: exactly the RFC 9110 §5.6.2 tchars, over all 65536 code units', () => {
  let allowed = 0;
  for (let c = 0; c <= 0xffff; c++) {
    const ch = String.fromCharCode(c);
    const ok = checkName('x' + ch + 'y') === FIELD.OK;
    assert.is(ok, TCHARS.includes(ch), `U+${c.toString(16).padStart(4, '0')}`);
    if (ok) allowed++;
  }
  assert.is(allowed, TCHARS.length);
});

test('checkName: empty, spaces, colons, CR/LF and wide names', () => {
  assert.is(checkName(''), FIELD.EMPTY_NAME);
  for (const n of ['x user', 'x:user', 'x-user:', ' x', 'x\r\nset-cookie', 'x\0', 'x\u010d\u010a', 'é', 'x\t']) {
    assert.is(checkName(n), FIELD.BAD_NAME, JSON.stringify(n));
  }
  for (const n of ['x-user', 'Set-Cookie', 'a', "!#$%&'*+-.^_`|~"]) assert.is(checkName(n), FIELD.OK, n);
});

test('checkValue: VCHAR, obs-text, SP and HTAB only, over all 65536 code units', () => {
  for (let c = 0; c <= 0xffff; c++) {
    const expected = c > 0xff ? FIELD.WIDE : c === 0x09 || (c >= 0x20 && c !== 0x7f) ? FIELD.OK : FIELD.CONTROL;
    assert.is(checkValue('a' + String.fromCharCode(c) + 'b'), expected, `U+${c.toString(16).padStart(4, '0')}`);
    assert.is(checkValue(String.fromCharCode(c)), expected, `U+${c.toString(16)} alone`);
  }
});

test('checkValue: the code units whose low byte is CR or LF are refused (latin1 keeps only that byte)', () => {
  for (const v of ['a\u010d\u010aset-cookie: x=1', '\u0a0d', '\u0d0a', '\u2028', '\u2029', '\uff0d\uff0a', 'a\ud83d\ude00']) {
    assert.is(checkValue(v), FIELD.WIDE, JSON.stringify(v));
  }
  // Why: written as latin1, U+010D U+010A become CR LF.
  assert.equal([...Buffer.from('\u010d\u010a', 'latin1')], [13, 10]);
  assert.is(checkValue(''), FIELD.OK);
  assert.is(checkValue('text/html; charset=utf-8'), FIELD.OK);
  assert.is(checkValue('caf\u00e9 \u00ff'), FIELD.OK, 'obs-text');
});

test('fieldError: names the header and the problem, never the value', () => {
  const secret = 'evil\r\nset-cookie: s=1';
  const e = fieldError('x-user', checkValue(secret));
  assert.instance(e, TypeError);
  assert.ok(e.message.includes('"x-user"'), e.message);
  assert.not.ok(e.message.includes('evil'), e.message);
  assert.ok(fieldError('x-user', FIELD.WIDE).message.includes('U+00FF'));
  assert.ok(fieldError('a b', FIELD.BAD_NAME).message.includes('"a b"'));
  assert.ok(fieldError('', FIELD.EMPTY_NAME).message.includes('empty'));
  assert.ok(fieldError('x\r\ny', FIELD.BAD_NAME).message.includes('"x\\r\\ny"'), 'the name is shown escaped');
});

test('assertField: throws TypeError naming the header; silent when the field is good', () => {
  assert.not.throws(() => assertField('x-user', 'alice'));
  assert.throws(
    () => assertField('x-user', 'a\u010d\u010ab'),
    (e: Error) => e instanceof TypeError && e.message.includes('"x-user"'),
  );
  assert.throws(
    () => assertField('x user', 'ok'),
    (e: Error) => e instanceof TypeError && e.message.includes('"x user"'),
  );
  assert.throws(() => assertField('', 'ok'), TypeError);
});

test('isStatus: integers 100-999 only', () => {
  for (const s of [100, 200, 599, 999]) assert.ok(isStatus(s), String(s));
  for (const s of [99, 1000, 200.5, NaN, Infinity, -200, '200', null, undefined, 2e3]) assert.not.ok(isStatus(s), String(s));
});

test('isReason: no CR, LF or other controls', () => {
  assert.ok(isReason('OK'));
  assert.ok(isReason('Not Found'));
  for (const r of ['OK\r\nx: y', 'OK\n', 'O\0K', 'O\u010aK']) assert.not.ok(isReason(r), JSON.stringify(r));
});

test('parseLength: RFC 9110 §8.6 1*DIGIT, surrounding SP/HTAB allowed', () => {
  assert.is(parseLength('0'), 0);
  assert.is(parseLength('42'), 42);
  assert.is(parseLength(' 42\t'), 42);
  assert.is(parseLength('9007199254740991'), 9007199254740991);
  for (const v of ['', ' ', '-1', '+1', '1.0', '0x10', '1e3', '1 2', '4,4', '99999999999999999999', '\u0661']) {
    assert.is(parseLength(v), -1, JSON.stringify(v));
  }
});

test.run();
