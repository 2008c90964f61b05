// Shared by the security and fuzz suites: a conversation over one raw socket, a strict
// parser for the response stream, and the same echo app written for this transport
// and for node:http (the comparison server).
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer, type App, type Server } from '../../src/index.js';
import type { CreateServerOptions } from '../../src/create.js';
import type { Logger } from '../../src/types.js';

/** A logger that keeps quiet but counts errors (a test can assert on them). */
export function quietLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    error: (m: string, e?: unknown) => {
      errors.push(`${m}${e instanceof Error ? `: ${e.message}` : ''}`);
    },
    warn: () => {},
    info: () => {},
  };
}

/**
 * Reads the whole request body, then answers 200 with `path=<target> body=<bytes>`.
 * `x-head: 1` marks a response to HEAD (it carries content-length but no body), so the
 * stream parser below can frame it without knowing the requests.
 */
export const echoApp: App = async (scope, receive, send) => {
  let n = 0;
  for (;;) {
    const m = await receive();
    if (m.type !== 'http.request') return; // client gone: nothing to answer
    n += m.body.length;
    if (!m.moreBody) break;
  }
  const q = scope.queryString;
  const body = `path=${scope.rawPath}${q.length > 0 ? '?' + q : ''} body=${n}\n`;
  await send({
    type: 'http.response.start',
    status: 200,
    headers: { 'content-type': 'text/plain', 'x-head': scope.method === 'HEAD' ? '1' : '0' },
  });
  await send({ type: 'http.response.body', body });
};

/** Our server with echoApp (or `app`) on 127.0.0.1, port 0. */
export async function startOurs(options: CreateServerOptions = {}, app: App = echoApp): Promise<{ server: Server; port: number }> {
  const server = createServer(app, { logger: quietLogger(), ...options });
  await server.listen(0, '127.0.0.1');
  return { server, port: server.address().port };
}

/** node:http with the same app semantics, default options: the comparison server. */
export async function startNode(): Promise<{ server: http.Server; port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let n = 0;
    req.on('data', (d: Buffer) => {
      n += d.length;
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-head': req.method === 'HEAD' ? '1' : '0' });
      res.end(`path=${pathOf(req.url ?? '')} body=${n}\n`);
    });
    req.on('error', () => {});
  });
  // No 'clientError' listener: node:http's own default answers (400, 431, 413, 408) stand.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { server, port, close };
}

/** node:http's req.url for an absolute-form target is the whole target: keep the path and query only. */
function pathOf(url: string): string {
  if (url.startsWith('/') || url === '*') return url;
  const sep = url.indexOf('://');
  if (sep < 0) return url;
  const slash = url.indexOf('/', sep + 3);
  return slash < 0 ? '/' : url.slice(slash);
}

export interface Conversation {
  data: Buffer;
  /** The server closed (FIN or reset) before the client gave up. */
  closed: boolean;
  reset: boolean;
  ms: number;
}

export interface ConverseOptions {
  /** Give up after this many ms (the connection is still open then). */
  timeout?: number;
  /** Stop early once this returns true for the bytes received so far. */
  until?: (data: Buffer) => boolean;
  /** Write the bytes in these pieces (lengths); the rest in one piece. */
  pieces?: number[];
  /** Half-close after writing. */
  end?: boolean;
}

/** Connects to 127.0.0.1:port, writes `bytes`, collects the answer until close, `until` or the timeout. */
export function converse(port: number, bytes: Buffer | string, o: ConverseOptions = {}): Promise<Conversation> {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  const t0 = Date.now();
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    let reset = false;
    const done = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), closed, reset, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => done(false), o.timeout ?? 1000);
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      if (o.until?.(Buffer.concat(chunks))) done(false);
    });
    sock.on('end', () => done(true));
    sock.on('close', () => done(true));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') reset = true;
      done(true);
    });
    sock.on('connect', () => {
      if (o.pieces === undefined || o.pieces.length === 0) sock.write(buf);
      else {
        // Each write is its own syscall; with noDelay and a setImmediate between them,
        // the server mostly sees them as separate reads.
        let off = 0;
        const pieces = o.pieces;
        let k = 0;
        const next = (): void => {
          if (settled || sock.destroyed) return;
          if (k >= pieces.length || off >= buf.length) {
            if (off < buf.length) sock.write(buf.subarray(off));
            if (o.end === true) sock.end();
            return;
          }
          const n = Math.max(1, pieces[k++]);
          sock.write(buf.subarray(off, off + n));
          off += n;
          setImmediate(next);
        };
        sock.setNoDelay(true);
        next();
        return;
      }
      if (o.end === true) sock.end();
    });
  });
}

export interface WireResponse {
  status: number;
  /** Lowercased names, values trimmed, repeated names joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface WireParse {
  responses: WireResponse[];
  /** Bytes after the last complete response (an incomplete one, or garbage). */
  rest: number;
  /** Set when the stream is not a sequence of well-formed HTTP/1.1 responses. */
  error: string | null;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Strict parse of a response stream: status line `HTTP/1.1 NNN reason`, token names,
 * no CR/LF/NUL in values, framing by content-length or chunked (never both), 1xx, 204,
 * 304 and `x-head: 1` without a body; a response without framing runs to the close.
 */
export function parseWire(data: Buffer, closed: boolean): WireParse {
  const responses: WireResponse[] = [];
  let i = 0;
  while (i < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', i, 'latin1');
    if (headEnd < 0) return { responses, rest: data.length - i, error: closed ? 'truncated head' : null };
    const lines = data.latin1Slice(i, headEnd).split('\r\n');
    const m = /^HTTP\/1\.1 ([1-9]\d\d) [^\r\n\0]*$/.exec(lines[0]);
    if (m === null) return { responses, rest: data.length - i, error: `bad status line ${JSON.stringify(lines[0].slice(0, 60))}` };
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':');
      if (c <= 0 || !TOKEN.test(l.slice(0, c))) return { responses, rest: data.length - i, error: `bad header line ${JSON.stringify(l.slice(0, 60))}` };
      if (/[\r\n\0]/.test(l)) return { responses, rest: data.length - i, error: 'CR/LF/NUL in a header value' };
      const k = l.slice(0, c).toLowerCase();
      const v = l.slice(c + 1).trim();
      headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
    let p = headEnd + 4;
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (te !== undefined && cl !== undefined) return { responses, rest: data.length - i, error: 'content-length with transfer-encoding' };
    let body: Buffer = Buffer.alloc(0);
    const bodyless = status < 200 || status === 204 || status === 304 || headers['x-head'] === '1';
    if (bodyless) {
      // nothing
    } else if (te !== undefined) {
      if (te !== 'chunked') return { responses, rest: data.length - i, error: `transfer-encoding ${te}` };
      const parts: Buffer[] = [];
      for (;;) {
        const le = data.indexOf('\r\n', p, 'latin1');
        if (le < 0) return { responses, rest: data.length - i, error: closed ? 'truncated chunk' : null };
        const size = data.latin1Slice(p, le);
        if (!/^[0-9a-f]{1,8}$/i.test(size)) return { responses, rest: data.length - i, error: `bad chunk size ${JSON.stringify(size)}` };
        const n = parseInt(size, 16);
        p = le + 2;
        if (n === 0) {
          if (data.length < p + 2) return { responses, rest: data.length - i, error: closed ? 'truncated last chunk' : null };
          if (data[p] !== 13 || data[p + 1] !== 10) return { responses, rest: data.length - i, error: 'trailers after the last chunk' };
          p += 2;
          break;
        }
        if (data.length < p + n + 2) return { responses, rest: data.length - i, error: closed ? 'truncated chunk data' : null };
        parts.push(data.subarray(p, p + n));
        if (data[p + n] !== 13 || data[p + n + 1] !== 10) return { responses, rest: data.length - i, error: 'chunk not followed by CRLF' };
        p += n + 2;
      }
      body = Buffer.concat(parts);
    } else if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) return { responses, rest: data.length - i, error: `bad content-length ${cl}` };
      const n = Number(cl);
      if (data.length < p + n) return { responses, rest: data.length - i, error: closed ? 'truncated body' : null };
      body = data.subarray(p, p + n);
      p += n;
    } else {
      if (!closed) return { responses, rest: data.length - i, error: null };
      body = data.subarray(p);
      p = data.length;
    }
    responses.push({ status, headers, body });
    i = p;
  }
  return { responses, rest: 0, error: null };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects if `p` takes longer than `ms`. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
