// A request head normally stays a set of spans over the bytes it arrived in. When those
// bytes are about to be reused (the shared read buffer) or the head continues in the
// next read, its spans are copied into the exchange's own buffer, kept across reuse.
import type { Exchange } from './exchange.js';

/** Copies the URL and header spans of `ex` into its own buffer and rebases them there. */
export function ownHead(ex: Exchange): void {
  const scope = ex.scope;
  const raw = scope.raw;
  const src = raw.buf;
  const need = Math.max(1024, ex.headBytes * 2);
  if (ex.own === null || ex.own.length < need) ex.own = Buffer.allocUnsafe(need);
  const own = ex.own;
  src.copy(own, 0, scope.urlStart, scope.urlEnd);
  let n = scope.urlEnd - scope.urlStart;
  scope.urlStart = 0;
  scope.urlEnd = n;
  const spans = raw.spans;
  for (let i = 0; i < raw.size * 2; i++) {
    const s = spans[i * 2];
    const len = spans[i * 2 + 1] - s;
    src.copy(own, n, s, s + len);
    spans[i * 2] = n;
    spans[i * 2 + 1] = n + len;
    n += len;
  }
  ex.ownLen = n;
  ex.owned = true;
  raw.buf = own;
}

/** Owned mode: appends chunk[off, off+len) to the head copy; returns where it starts. */
export function appendOwn(ex: Exchange, chunk: Buffer, off: number, len: number): number {
  let own = ex.own!;
  if (ex.ownLen + len > own.length) {
    const bigger = Buffer.allocUnsafe(Math.max(own.length * 2, ex.ownLen + len));
    own.copy(bigger, 0, 0, ex.ownLen);
    ex.own = own = bigger;
    ex.scope.raw.buf = bigger;
  }
  const at = ex.ownLen;
  chunk.copy(own, at, off, off + len);
  ex.ownLen += len;
  return at;
}
