// Builds pooled scopes from raw header lines, the way the connection will hand them
// to the trust stage, without the llhttp binding: one Buffer holding a request head,
// spans filled per line, names interned.
import { Scope } from '../../src/scope/scope.js';
import type { ScopeType } from '../../src/types.js';

const REQUEST_LINE = 'GET /api/items?x=1 HTTP/1.1\r\n';

/**
 * A scope as the connection prepares it before Trust.resolve(): client = peer (same
 * tuple), scheme 'http' (or 'ws'), rootPath ''. `lines` are raw 'Name: value' lines.
 */
export function makeScope(peer: [string, number] | null, lines: readonly string[], type: ScopeType = 'http', scope = new Scope()): Scope {
  scope.resetRequest();
  const text = REQUEST_LINE + lines.map((l) => l + '\r\n').join('') + '\r\n';
  const buf = Buffer.from(text, 'latin1');
  const raw = scope.raw;
  raw.buf = buf;
  scope.urlStart = 4;
  scope.urlEnd = REQUEST_LINE.indexOf(' HTTP/');
  let at = REQUEST_LINE.length;
  let n = 0;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`bad test header line ${JSON.stringify(line)}`);
    let vs = colon + 1;
    let ve = line.length;
    // llhttp drops the OWS around a field value (RFC 9112 §5).
    while (vs < ve && (line[vs] === ' ' || line[vs] === '\t')) vs++;
    while (ve > vs && (line[ve - 1] === ' ' || line[ve - 1] === '\t')) ve--;
    raw.spans[n * 4] = at;
    raw.spans[n * 4 + 1] = at + colon;
    raw.spans[n * 4 + 2] = at + vs;
    raw.spans[n * 4 + 3] = at + ve;
    at += line.length + 2;
    n++;
  }
  raw.size = n;
  raw.intern();
  scope.type = type;
  scope.peer = peer;
  scope.client = peer;
  scope.scheme = type === 'websocket' ? 'ws' : 'http';
  scope.rootPath = '';
  return scope;
}

/** Collects log lines. */
export function memoryLogger(): { warnings: string[]; warn(message: string): void } {
  const warnings: string[] = [];
  return {
    warnings,
    warn(message: string) {
      warnings.push(message);
    },
  };
}
