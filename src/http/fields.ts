// The response field grammar, one copy for every path that writes app-chosen bytes into
// a response head (ASGI start, encodeHeaders, the app layer, the fetch adapter). Heads
// are written as latin1, which keeps only the low byte of each UTF-16 code unit: so the
// check runs over code units, and U+010D U+010A (low bytes CR LF) is refused like CR LF.
// A leaf: imports nothing of ours.

/** What is wrong with a field; 0 when nothing is. Numbers, so the ok case allocates nothing. */
export const FIELD = {
  OK: 0,
  /** The name is empty. */
  EMPTY_NAME: 1,
  /** The name has a character that is not a tchar (space, colon, CR, LF, non-ASCII, ...). */
  BAD_NAME: 2,
  /** The value has a control character other than HTAB, or DEL. */
  CONTROL: 3,
  /** The value has a code unit above 0xFF (latin1 would write only its low byte). */
  WIDE: 4,
} as const;

/** RFC 9110 §5.6.2 tchar: "!#$%&'*+-.^_`|~", DIGIT, ALPHA. 1 per allowed ASCII code. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

/**
 * Checks a field name: RFC 9110 §5.1 field-name = token (§5.6.2), 1*tchar.
 * @returns FIELD.OK, FIELD.EMPTY_NAME or FIELD.BAD_NAME.
 */
export function checkName(name: string): number {
  const n = name.length;
  if (n === 0) return FIELD.EMPTY_NAME;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c > 127 || TCHAR[c] === 0) return FIELD.BAD_NAME;
  }
  return FIELD.OK;
}

/**
 * Checks a field value over its UTF-16 code units: RFC 9110 §5.5 field-value, whose
 * characters are VCHAR (0x21-0x7E), obs-text (0x80-0xFF), SP and HTAB. Every other
 * control (CR, LF and NUL included: response splitting) and DEL are refused, and so is
 * any code unit above 0xFF. node:http refuses the same (ERR_INVALID_CHAR). Leading or
 * trailing whitespace is let through, as node:http does.
 * @returns FIELD.OK, FIELD.CONTROL or FIELD.WIDE.
 */
export function checkValue(value: string): number {
  for (let i = 0, n = value.length; i < n; i++) {
    const c = value.charCodeAt(i);
    // One compare for the common printable ASCII case.
    if (c >= 0x20 && c < 0x7f) continue;
    if (c === 0x09 || (c >= 0x80 && c <= 0xff)) continue;
    return c > 0xff ? FIELD.WIDE : FIELD.CONTROL;
  }
  return FIELD.OK;
}

/**
 * The error for a refused field. It names the header and what is wrong, never the value:
 * the value is often user input, and logs are read by tools that split on lines too.
 */
export function fieldError(name: string, problem: number): TypeError {
  const shown = JSON.stringify(name);
  switch (problem) {
    case FIELD.EMPTY_NAME:
      return new TypeError('Invalid response header name: empty');
    case FIELD.BAD_NAME:
      return new TypeError(`Invalid response header name ${shown}: not a token (RFC 9110 §5.6.2)`);
    case FIELD.WIDE:
      return new TypeError(`Invalid response header value for ${shown}: a character above U+00FF`);
    default:
      return new TypeError(`Invalid response header value for ${shown}: a control character (RFC 9110 §5.5)`);
  }
}

/**
 * Throws a TypeError naming the header when `name` is not a token or `value` is not a
 * field-value; returns nothing (and allocates nothing) otherwise.
 */
export function assertField(name: string, value: string): void {
  let problem = checkName(name);
  if (problem === FIELD.OK) problem = checkValue(value);
  if (problem !== FIELD.OK) throw fieldError(name, problem);
}

/**
 * RFC 9110 §8.6 Content-Length = 1*DIGIT (surrounding SP/HTAB allowed, as llhttp does on
 * requests). @returns the length, or -1 when `value` is not one or is past 2^53.
 */
export function parseLength(value: string): number {
  let i = 0;
  let end = value.length;
  while (i < end && (value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09)) i++;
  while (end > i && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  if (i === end) return -1;
  let n = 0;
  for (; i < end; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return Number.isSafeInteger(n) ? n : -1;
}

/** RFC 9110 §15: a status code is three digits, so an integer 100-999. */
export function isStatus(status: unknown): status is number {
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999;
}

/**
 * RFC 9112 §4 reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): a field-value's
 * characters, so no CR or LF to end the status line early.
 */
export function isReason(reason: string): boolean {
  return checkValue(reason) === FIELD.OK;
}
