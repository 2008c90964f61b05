// The differential harness: one app factory served by node:http and by fasterapi/node,
// the same raw requests sent to both over real sockets, the answers compared.
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from '../../src/node/index.js';

export interface Answer {
  status: string;
  /** [lowercased name, value] in order, without date and node:http's keep-alive fields. */
  headers: [string, string][];
  body: Buffer;
}

export interface Pair {
  node: number;
  ours: number;
  close(): Promise<void>;
}

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** `make` is called once per server, so app state is never shared between the two. */
export async function listenPair(make: () => Listener | Promise<Listener>): Promise<Pair> {
  const a = http.createServer(await make());
  const b = createServer(await make());
  await new Promise<void>((r) => a.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => b.listen(0, '127.0.0.1', r));
  return {
    node: (a.address() as AddressInfo).port,
    ours: (b.address() as AddressInfo).port,
    close: async () => {
      a.closeAllConnections();
      await Promise.all([new Promise((r) => a.close(r)), new Promise((r) => b.close(r))]);
    },
  };
}

/** A raw request; `head` true when the method is HEAD (no body in the answer). */
export interface Raw {
  bytes: string | Buffer;
  head?: boolean;
}

export function req(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Raw {
  const b = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
  let s = `${method} ${path} HTTP/1.1\r\nHost: test\r\n`;
  for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
  if (b !== null && !('transfer-encoding' in headers)) s += `content-length: ${b.length}\r\n`;
  s += '\r\n';
  const head = Buffer.from(s, 'latin1');
  return { bytes: b === null ? head : Buffer.concat([head, b]), head: method === 'HEAD' };
}

/** Sends the requests on one connection (all in one write when `pipelined`) and parses one answer each. */
export function exchange(port: number, reqs: Raw[], pipelined = false, timeoutMs = 5000): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const out: Answer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timeout after ${out.length}/${reqs.length} answers on port ${port}`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    };
    const parse = (ended: boolean): void => {
      for (;;) {
        if (out.length === reqs.length) {
          finish();
          return;
        }
        const r = parseOne(buf, reqs[out.length].head === true, ended);
        if (r === null) break;
        buf = buf.subarray(r.used);
        out.push(r.answer);
        if (!pipelined && out.length < reqs.length) sock.write(reqs[out.length].bytes);
      }
      if (ended) finish();
    };
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      parse(false);
    });
    sock.on('end', () => parse(true));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('connect', () => {
      if (pipelined) sock.write(Buffer.concat(reqs.map((r) => (Buffer.isBuffer(r.bytes) ? r.bytes : Buffer.from(r.bytes, 'latin1')))));
      else sock.write(reqs[0].bytes);
    });
  });
}

const DROP = new Set(['date', 'keep-alive']);

/** One response at the start of `buf`, or null when it is not all there yet. */
function parseOne(buf: Buffer, head: boolean, ended: boolean): { answer: Answer; used: number } | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = lines[0];
  const headers: [string, string][] = [];
  let length = -1;
  let chunked = false;
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).toLowerCase();
    const value = line.slice(i + 1).trim();
    if (name === 'content-length') length = Number(value);
    if (name === 'transfer-encoding') chunked = true;
    if (DROP.has(name) || (name === 'connection' && value === 'keep-alive')) continue;
    headers.push([name, value]);
  }
  // The transport writes the framing field last, also where the app set transfer-encoding itself
  // (node:http keeps the app's place): compared after the others (docs/node-compat.md).
  const te = headers.findIndex((h) => h[0] === 'transfer-encoding');
  if (te >= 0) headers.push(...headers.splice(te, 1));
  let p = end + 4;
  const code = Number(status.split(' ')[1]);
  if (code < 200) return { answer: { status, headers, body: Buffer.alloc(0) }, used: p };
  if (head || code === 204 || code === 304) return { answer: { status, headers, body: Buffer.alloc(0) }, used: p };
  if (chunked) {
    const parts: Buffer[] = [];
    for (;;) {
      const e = buf.indexOf('\r\n', p);
      if (e < 0) return null;
      const size = Number.parseInt(buf.subarray(p, e).toString('latin1'), 16);
      if (buf.length < e + 2 + size + 2) return null;
      if (size === 0) return { answer: { status, headers, body: Buffer.concat(parts) }, used: e + 4 };
      parts.push(buf.subarray(e + 2, e + 2 + size));
      p = e + 2 + size + 2;
    }
  }
  if (length >= 0) {
    if (buf.length < p + length) return null;
    return { answer: { status, headers, body: Buffer.from(buf.subarray(p, p + length)) }, used: p + length };
  }
  if (!ended) return null;
  return { answer: { status, headers, body: Buffer.from(buf.subarray(p)) }, used: buf.length };
}

/** The same requests to both servers; returns the two lists of answers. */
export async function both(pair: Pair, reqs: Raw[], pipelined = false): Promise<[Answer[], Answer[]]> {
  return Promise.all([exchange(pair.node, reqs, pipelined), exchange(pair.ours, reqs, pipelined)]);
}

/** Text for a failing comparison. */
export function show(a: Answer): string {
  return `${a.status}\n${a.headers.map((h) => h.join(': ')).join('\n')}\n\n${a.body.toString('latin1').slice(0, 300)}`;
}

/** The answers agree: status line, header fields in order, body bytes. */
export function same(reqs: Raw[], a: Answer[], b: Answer[]): void {
  assert.is(b.length, a.length);
  for (let i = 0; i < a.length; i++) {
    const what = Buffer.from(reqs[i].bytes).subarray(0, 60).toString('latin1');
    const msg = `request ${i} (${what.split('\r\n')[0]}):\nnode:http\n${show(a[i])}\n--- fasterapi/node\n${show(b[i])}`;
    const ok = b[i].status === a[i].status && JSON.stringify(b[i].headers) === JSON.stringify(a[i].headers) && b[i].body.equals(a[i].body);
    if (!ok) assert.unreachable(msg);
  }
}

/** A suite: the requests one after another on one keep-alive connection, then all pipelined in one write. */
export function pairSuite(name: string, make: () => Promise<Pair>, reqs: Raw[]): void {
  const s = suite(`differential: ${name}`);
  let pair: Pair;
  s.before(async () => {
    pair = await make();
  });
  s.after(async () => {
    await pair.close();
  });
  s('one keep-alive connection, request after request', async () => {
    const [a, b] = await both(pair, reqs);
    same(reqs, a, b);
  });
  s('pipelined: all requests in one write', async () => {
    const [a, b] = await both(pair, reqs, true);
    same(reqs, a, b);
  });
  s.run();
}
