// Raw-bytes client for tests: exact bytes over a real socket on 127.0.0.1.
import * as net from 'node:net';

export interface RawOptions {
  /** Write the bytes one at a time (or in pieces of this size) with a pause between. */
  split?: number;
  /** Milliseconds between pieces when split. */
  gap?: number;
  /** Half-close (FIN) after writing. */
  end?: boolean;
  /** Resolve after this long even if the server keeps the connection open. */
  timeout?: number;
}

/** Sends `bytes`, collects everything the server writes until it closes or `timeout` passes. */
export function rawRequest(port: number, bytes: string | Buffer, o: RawOptions = {}): Promise<{ data: string; closed: boolean }> {
  const timeout = o.timeout ?? 500;
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const timer = setTimeout(done, timeout);
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => {
      closed = true;
      done();
    });
    sock.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') {
        closed = true;
        done();
      } else reject(e);
    });
    sock.on('connect', async () => {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
      if (o.split) {
        for (let i = 0; i < buf.length; i += o.split) {
          if (sock.destroyed) return;
          sock.write(buf.subarray(i, i + o.split));
          await new Promise((r) => setTimeout(r, o.gap ?? 1));
        }
      } else sock.write(buf);
      if (o.end) sock.end();
    });
  });
}

/** Splits a stream of HTTP/1.1 responses (content-length or chunked framed) into parts. */
export function parseResponses(data: string): { status: number; headers: Record<string, string>; body: string; raw: string }[] {
  const out: { status: number; headers: Record<string, string>; body: string; raw: string }[] = [];
  let i = 0;
  while (i < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', i);
    if (headEnd < 0) break;
    const lines = data.slice(i, headEnd).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':');
      const k = l.slice(0, c).toLowerCase();
      const v = l.slice(c + 1).trim();
      headers[k] = headers[k] === undefined ? v : headers[k] + ', ' + v;
    }
    let p = headEnd + 4;
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const le = data.indexOf('\r\n', p);
        if (le < 0) break;
        const n = parseInt(data.slice(p, le), 16);
        p = le + 2;
        if (n === 0) {
          p = data.indexOf('\r\n', p) + 2;
          break;
        }
        body += data.slice(p, p + n);
        p += n + 2;
      }
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      body = data.slice(p, p + n);
      p += n;
    } else if (status !== 204 && status !== 304 && !(status >= 100 && status < 200)) {
      body = data.slice(p);
      p = data.length;
    }
    out.push({ status, headers, body, raw: data.slice(i, p) });
    i = p;
  }
  return out;
}
