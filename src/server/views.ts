// Exact-length views over a long-lived buffer, made once per length. socket.write() and
// TypedArray.set() need a view of the exact length; making one per read or write was the
// last allocation on the keep-alive path (~50 bytes/request, measured in bench/micro).
const MAX_CACHED = 4096;

export class ViewCache {
  readonly buf: Buffer;
  private readonly views: (Buffer | undefined)[] = [];

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** buf[0, len) */
  get(len: number): Buffer {
    if (len > MAX_CACHED) return this.buf.subarray(0, len);
    let v = this.views[len];
    if (v === undefined) {
      v = this.buf.subarray(0, len);
      this.views[len] = v;
    }
    return v;
  }
}
