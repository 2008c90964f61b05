// Raw-bytes client for tests: exact bytes over a real socket on 127.0.0.1.
import * as net from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer, encodeHeaders } from '../../src/index.js';
import type { Server } from '../../src/server/server.js';
import type { App, Logger } from '../../src/types.js';
import type { CreateServerOptions } from '../../src/create.js';
import { respond } from '../../src/server/respond.js';

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

/** Status and lowercased header fields of one response head (repeated fields joined with ', '). */
function readHead(head: string): { status: number; headers: Record<string, string> } {
  const lines = head.split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    const k = l.slice(0, c).toLowerCase();
    const v = l.slice(c + 1).trim();
    headers[k] = headers[k] === undefined ? v : headers[k] + ', ' + v;
  }
  return { status, headers };
}

/** Splits a stream of HTTP/1.1 responses (content-length or chunked framed) into parts. */
export function parseResponses(data: string): { status: number; headers: Record<string, string>; body: string; raw: string }[] {
  const out: { status: number; headers: Record<string, string>; body: string; raw: string }[] = [];
  let i = 0;
  while (i < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', i);
    if (headEnd < 0) break;
    const { status, headers } = readHead(data.slice(i, headEnd));
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

// ---- persistent connections, servers with cleanup, fixtures ------------------------

export type ParsedResponse = ReturnType<typeof parseResponses>[number];

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Complete responses at the start of `data` (a response whose body has not fully
 * arrived is left out). `bodyless(i)` marks responses to HEAD requests; a response
 * without content-length or chunked framing is complete only once `closed`.
 */
export function completeResponses(data: string, closed: boolean, bodyless: (i: number) => boolean = () => false): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let i = 0;
  while (i < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', i);
    if (headEnd < 0) break;
    const { status, headers } = readHead(data.slice(i, headEnd));
    let p = headEnd + 4;
    let body = '';
    const informational = status >= 100 && status < 200;
    if (informational || status === 204 || status === 304 || (bodyless(out.filter((r) => r.status >= 200).length) && !informational)) {
      // no body
    } else if (headers['transfer-encoding'] === 'chunked') {
      let complete = false;
      for (;;) {
        const le = data.indexOf('\r\n', p);
        if (le < 0) break;
        const n = parseInt(data.slice(p, le), 16);
        if (n === 0) {
          const trailerEnd = data.indexOf('\r\n', le + 2);
          if (trailerEnd < 0) break;
          p = trailerEnd + 2;
          complete = true;
          break;
        }
        if (le + 2 + n + 2 > data.length) break;
        body += data.slice(le + 2, le + 2 + n);
        p = le + 2 + n + 2;
      }
      if (!complete) break;
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (p + n > data.length) break;
      body = data.slice(p, p + n);
      p += n;
    } else {
      if (!closed) break;
      body = data.slice(p);
      p = data.length;
    }
    out.push({ status, headers, body, raw: data.slice(i, p) });
    i = p;
  }
  return out;
}

/** A client connection that stays open: write, wait for responses, write again. */
export class RawClient {
  readonly socket: net.Socket;
  private chunks: Buffer[] = [];
  private textCache: string | null = '';
  /** 'data' events seen by the client. */
  dataEvents = 0;
  /** The server sent FIN or reset the connection. */
  ended = false;
  closed = false;
  error: Error | null = null;
  /** Marks responses that answer HEAD requests (index among final responses). */
  bodyless: (i: number) => boolean = () => false;
  private waiters = new Set<() => void>();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.dataEvents++;
      this.chunks.push(d);
      this.textCache = null;
      this.poke();
    });
    socket.on('end', () => {
      this.ended = true;
      this.poke();
    });
    socket.on('close', () => {
      this.ended = true;
      this.closed = true;
      this.poke();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.poke();
    });
  }

  static connect(port: number, o: { allowHalfOpen?: boolean } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: o.allowHalfOpen ?? false });
      const c = new RawClient(s);
      s.once('connect', () => resolve(c));
      s.once('error', reject);
    });
  }

  private poke(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Everything received so far, latin1. */
  get text(): string {
    if (this.textCache === null) this.textCache = Buffer.concat(this.chunks).toString('latin1');
    return this.textCache;
  }

  get bytesReceived(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** Writes `bytes` at once, or in pieces of `split` bytes (or at the offsets in `cuts`) `gap` ms apart. */
  async write(bytes: string | Buffer, o: { split?: number; cuts?: number[]; gap?: number } = {}): Promise<void> {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    let pieces: Buffer[] = [buf];
    if (o.split) {
      pieces = [];
      for (let i = 0; i < buf.length; i += o.split) pieces.push(buf.subarray(i, i + o.split));
    } else if (o.cuts) {
      pieces = [];
      let at = 0;
      for (const c of [...o.cuts, buf.length]) {
        if (c > at) pieces.push(buf.subarray(at, c));
        at = c;
      }
    }
    for (let i = 0; i < pieces.length; i++) {
      if (this.socket.destroyed) return;
      this.socket.write(pieces[i]);
      if (pieces.length > 1) await sleep(o.gap ?? 2);
    }
  }

  /** Half-close: FIN after what was written. */
  end(): void {
    this.socket.end();
  }

  /** Resolves when `pred` holds; rejects after `timeout` ms with what was received. */
  waitFor(pred: () => boolean, timeout = 2000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (pred()) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}; received ${JSON.stringify(this.text.slice(0, 600))} ended=${this.ended}`));
      }, timeout);
      this.waiters.add(check);
    });
  }

  /** Complete final responses received so far (1xx interim responses excluded). */
  responses(): ParsedResponse[] {
    return completeResponses(this.text, this.ended, this.bodyless).filter((r) => r.status >= 200);
  }

  /** Interim and final responses received so far. */
  allResponses(): ParsedResponse[] {
    return completeResponses(this.text, this.ended, this.bodyless);
  }

  async waitResponses(n: number, timeout = 2000): Promise<ParsedResponse[]> {
    await this.waitFor(() => this.responses().length >= n, timeout, `${n} response(s)`);
    return this.responses();
  }

  /** Waits for the server to close its side (FIN or reset). */
  waitEnded(timeout = 2000): Promise<void> {
    return this.waitFor(() => this.ended, timeout, 'the server to close the connection');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Error/warn lines the server logged, for assertions. */
export interface LogRecord {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  err?: unknown;
}

export function recordingLogger(into: LogRecord[]): Logger {
  return {
    error: (message, err) => void into.push({ level: 'error', message, err }),
    warn: (message) => void into.push({ level: 'warn', message }),
    info: (message) => void into.push({ level: 'info', message }),
    debug: (message) => void into.push({ level: 'debug', message }),
  };
}

export interface ServerContext {
  server: Server;
  port: number;
  logs: LogRecord[];
  /** Opens a persistent client, destroyed when the test ends. */
  connect(o?: { allowHalfOpen?: boolean }): Promise<RawClient>;
  /** One-shot raw request (see rawRequest). */
  raw(bytes: string | Buffer, o?: RawOptions): Promise<{ data: string; closed: boolean }>;
  /** Server-side sockets in accept order, each with its read and write counts. */
  accepted: ServerSocketSpy[];
}

export interface ServerSocketSpy {
  socket: net.Socket;
  /** Reads handed to the transport (Connection.read calls). */
  reads: number;
  /** Writes handed to the socket's handle, one per write(2)/writev(2) attempt: the
   *  transport's direct writes and those net.Socket makes for socket.write(). */
  writes: number;
  /** Bytes in those writes. */
  written: number;
}

const TEXT_HEAD = encodeHeaders({ 'content-type': 'text/plain' });

/**
 * An app that reads the whole request body, recording each message type it gets in
 * `seen`, and answers 200 'complete' only if the body ended (not on a disconnect).
 */
export function wholeBodyApp(seen: string[]): App {
  return async (_scope, receive, send) => {
    for (;;) {
      const m = await receive();
      seen.push(m.type);
      if (m.type !== 'http.request') return;
      if (!m.moreBody) break;
    }
    respond(send, 200, TEXT_HEAD, 'complete');
  };
}

/** A plain client socket that reads nothing until resumed (for backpressure tests). */
export async function connectPaused(port: number): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.pause();
  return s;
}

/** Bytes a server-side socket holds unsent: net.Socket's queue plus libuv's (direct writes). */
export function queuedBytes(socket: net.Socket): number {
  const h = (socket as unknown as { _handle: { writeQueueSize: number } | null })._handle;
  // A stream write in progress is in both writableLength and libuv's queue: count it once.
  const w = (socket as unknown as { _writableState: { writing: boolean; writelen: number } })._writableState;
  const inFlight = w.writing && h != null ? Math.min(w.writelen, h.writeQueueSize) : 0;
  return socket.writableLength + (h?.writeQueueSize ?? 0) - inFlight;
}

const ENCODING: Record<string, BufferEncoding> = { writeLatin1String: 'latin1', writeUtf8String: 'utf8', writeAsciiString: 'ascii', writeUcs2String: 'ucs2' };

/** Wraps the handle's write methods (own properties over the prototype's) to count them. */
function spyHandleWrites(handle: Record<string, unknown>, spy: ServerSocketSpy): void {
  for (const name of ['writeBuffer', 'writev', ...Object.keys(ENCODING)]) {
    const method = handle[name] as (...a: unknown[]) => number;
    handle[name] = function (this: unknown, req: unknown, data: unknown, allBuffers?: boolean): number {
      spy.writes++;
      if (name === 'writev') {
        const chunks = data as (Uint8Array | string)[];
        for (let i = 0; i < chunks.length; i += allBuffers ? 1 : 2) {
          const c = chunks[i]!;
          spy.written += typeof c === 'string' ? Buffer.byteLength(c, chunks[i + 1] as unknown as BufferEncoding) : c.length;
        }
      } else if (typeof data === 'string') spy.written += Buffer.byteLength(data, ENCODING[name]);
      else spy.written += (data as Uint8Array).length;
      return method.call(this, req, data, allBuffers);
    };
  }
}

/**
 * Runs `fn` against a server on 127.0.0.1:<free port>. Always closes the clients and the
 * server afterwards; a server that does not close within 3 s fails the test and has
 * its sockets destroyed, so the suite never hangs.
 */
export async function withServer(app: App, options: CreateServerOptions, fn: (ctx: ServerContext) => Promise<void>): Promise<void> {
  const logs: LogRecord[] = [];
  const server = createServer(app, { logger: recordingLogger(logs), ...options });
  const accepted: ServerSocketSpy[] = [];
  // Registered after the transport's own listener, so the connection exists (the
  // transport may have re-wrapped the accepted handle in a new socket): the spy wraps
  // that connection's read() and its socket's write() before any request is read.
  const spied = new WeakSet<object>();
  server.net.on('connection', () => {
    for (const conn of server.core.connections) {
      if (spied.has(conn)) continue;
      spied.add(conn);
      const socket = conn.socket;
      const spy: ServerSocketSpy = { socket, reads: 0, writes: 0, written: 0 };
      accepted.push(spy);
      const read = conn.read;
      conn.read = function (this: typeof conn, ...args: Parameters<typeof read>): void {
        spy.reads++;
        read.apply(this, args);
      };
      spyHandleWrites((socket as unknown as { _handle: Record<string, unknown> })._handle, spy);
    }
  });
  await server.listen(0, '127.0.0.1');
  const port = server.address().port;
  const clients: RawClient[] = [];
  const ctx: ServerContext = {
    server,
    port,
    logs,
    accepted,
    async connect(o) {
      const c = await RawClient.connect(port, o);
      clients.push(c);
      return c;
    },
    raw: (bytes, o) => rawRequest(port, bytes, o),
  };
  let failure: unknown = null;
  try {
    await fn(ctx);
  } catch (e) {
    failure = e;
  }
  for (const c of clients) c.destroy();
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([server.close().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(r, 3000, false)))]);
  clearTimeout(timer);
  if (!ok) {
    for (const conn of server.core.connections) conn.socket.destroy();
    server.net.close();
    server.core.stop();
  }
  // The test's own failure first; a server that would not close fails an otherwise passing test.
  if (failure !== null) throw failure;
  if (!ok) throw new Error('server.close() did not resolve within 3 s');
}

/**
 * A raw request file from test/fixtures: the head's LF line ends become CRLF; a body
 * after the blank line is kept as written, minus the file's final newline.
 */
export function fixture(name: string): string {
  const url = new URL(`../../../test/fixtures/${name}`, import.meta.url);
  const text = readFileSync(url, 'latin1').replace(/\r\n/g, '\n');
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw new Error(`fixture ${name}: no blank line ends the head`);
  const head = text.slice(0, blank + 2).replace(/\n/g, '\r\n');
  const body = text.slice(blank + 2).replace(/\n$/, '');
  return head + body;
}

/** A promise with its resolve function, for apps that hold their response. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits until `pred` holds (polling every 5 ms), failing after `timeout` ms. */
export async function until(pred: () => boolean, timeout = 2000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` right now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
