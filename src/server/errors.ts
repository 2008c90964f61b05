// Complete error responses, built once per status (uWS's HttpErrors.h idea); the Date
// line is spliced in when one is written.
import { DATE_LINE } from './clock.js';
import { statusLine } from './encode.js';
import { REASONS } from '../http/reasons.js';

const cache = new Map<number, { before: Buffer; after: Buffer }>();

/** 'HTTP/1.1 400 Bad Request' + date + connection: close + a short text body. */
export function errorResponse(status: number): Buffer {
  let parts = cache.get(status);
  if (parts === undefined) {
    const body = `${REASONS[status] ?? 'Error'}\n`;
    parts = {
      before: statusLine(status),
      after: Buffer.from(
        `connection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        'latin1',
      ),
    };
    cache.set(status, parts);
  }
  return Buffer.concat([parts.before, DATE_LINE, parts.after]);
}
