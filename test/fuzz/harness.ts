// Runs fuzz cases (mutate.ts) over real sockets against one server and checks the
// invariants that must hold whatever the bytes are:
//  - the process never throws (uncaughtException / unhandledRejection);
//  - every answer stream is well-formed HTTP/1.1;
//  - no request is answered twice, answers come in request order, no more answers than
//    requests the app saw (+1 for the transport's own error answer);
//  - nothing follows a response that says connection: close, and the server closes then;
//  - after the client's FIN the server answers what it has and closes; a client that
//    resets the connection (RST) at any point leaves nothing behind;
//  - the head the app sees does not change while it awaits (views over reused buffers);
//  - every exchange returns to the pool once the connections are gone.
import * as net from 'node:net';
import { createServer, encodeHeaders, type App, type Server } from '../../src/index.js';
import { parseWire } from '../security/wire.js';
import { makeCase, type FuzzCase } from './mutate.js';
import { respond } from '../../src/server/respond.js';

export interface FuzzOptions {
  seed: number;
  count: number;
  concurrency?: number;
  /** Stop early after this many ms (the run reports how many cases it did). */
  maxMs?: number;
  onProgress?: (done: number) => void;
}

export interface FuzzResult {
  cases: number;
  ms: number;
  failures: string[];
  /** Final status counts, for the report. */
  statuses: Record<string, number>;
  appCalls: number;
}

const HEAD_NONE = encodeHeaders({ 'content-type': 'text/plain' });
const HEAD_HEAD = encodeHeaders({ 'content-type': 'text/plain', 'x-head': '1' });
const ALLOWED_LOG = /^(Exception in application|Application returned without)/;
const CLOSE_TIMEOUT = 3000;

/** What the app saw of a request, to check it is the same after an await. */
function snapshot(scope: Parameters<App>[0]): string {
  let s = `${scope.method} ${scope.rawPath} ?${scope.queryString} ${scope.httpVersion}`;
  for (const [k, v] of scope.headers.entries()) s += `|${k}:${v}`;
  return s;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  const perPort = new Map<number, number>();
  const logged: string[] = [];
  let seq = 0;

  const app: App = async (scope, receive, send) => {
    const id = ++seq;
    const port = scope.peer?.[1] ?? 0;
    perPort.set(port, (perPort.get(port) ?? 0) + 1);
    // HEAD: always answered by the app with x-head: 1, so the client can frame it (a 500
    // made by the transport has content-length but, for HEAD, no body and no marker).
    if (scope.method === 'HEAD') return respond(send, 200, HEAD_HEAD, '');
    const head = HEAD_NONE;
    const mode = id % 7;
    if (mode === 0) return respond(send, 200, head, `id=${id};`); // sync fast path, body left unread
    if (mode === 6 && id % 2 === 0) throw new Error('app throws (fuzz)');
    const before = snapshot(scope);
    let n = 0;
    for (;;) {
      const m = await receive();
      if (m.type !== 'http.request') return; // client gone
      n += m.body.length;
      if (!m.moreBody) break;
    }
    if (mode === 3) await new Promise((r) => setTimeout(r, id % 5));
    const after = snapshot(scope);
    if (after !== before) failures.push(`app ${id}: head changed while awaiting:\n  before ${before}\n  after  ${after}`);
    if (mode === 6) throw new Error('app rejects (fuzz)');
    if (mode === 5) return; // no answer: the transport answers 500
    if (mode === 2) {
      await send({ type: 'http.response.start', status: 200, headers: [['x-head', '0']] });
      await send({ type: 'http.response.body', body: `id=${id};`, moreBody: true });
      await send({ type: 'http.response.body', body: `n=${n};`, moreBody: true });
      await send({ type: 'http.response.body', body: '' });
      return;
    }
    respond(send, 200, head, `id=${id};n=${n};`);
  };

  const server: Server = createServer(app, {
    logger: {
      error: (m: string) => {
        logged.push(m);
      },
      warn: () => {},
      info: () => {},
    },
    headersTimeout: 10_000,
    keepAliveTimeout: 10_000,
  });
  const core = server.core;
  let created = 0;
  const acquire = core.acquire;
  core.acquire = function (this: typeof core, conn) {
    if (this.pooled === 0) created++;
    return acquire.call(this, conn);
  };

  const crashes: string[] = [];
  const onCrash = (err: unknown): void => {
    crashes.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  const t0 = Date.now();
  let done = 0;
  try {
    await server.listen(0, '127.0.0.1');
    const port = server.address().port;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < o.count && (o.maxMs === undefined || Date.now() - t0 < o.maxMs)) {
        const c = makeCase(o.seed, next++);
        const problems = await runCase(port, c, perPort, statuses);
        for (const p of problems)
          failures.push(
            `seed ${o.seed} case ${c.index} [${c.applied.join(', ')}]: ${p}\n  bytes ${JSON.stringify(c.bytes.toString('latin1'))}\n  pieces ${JSON.stringify(c.pieces)}`,
          );
        done++;
        if (o.onProgress !== undefined && done % 500 === 0) o.onProgress(done);
        if (failures.length > 20) return;
      }
    };
    await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));

    // Quiescence: every connection gone, every handler settled, every exchange pooled.
    for (let i = 0; i < 100 && server.connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    if (server.connections !== 0) failures.push(`${server.connections} connections still open after every client left`);
    if (core.pooled !== created) failures.push(`pool: created ${created} exchanges, ${core.pooled} back in the pool (leak)`);
    for (const m of logged) if (!ALLOWED_LOG.test(m)) failures.push(`unexpected error logged: ${m}`);
  } finally {
    core.acquire = acquire;
    await server.close();
    process.removeListener('uncaughtException', onCrash);
    process.removeListener('unhandledRejection', onCrash);
  }
  for (const c of crashes) failures.unshift(`process-level error: ${c}`);
  return { cases: done, ms: Date.now() - t0, failures, statuses, appCalls: seq };
}

/** One case over one connection: write in pieces, FIN (or RST), read until the server closes. */
async function runCase(port: number, c: FuzzCase, perPort: Map<number, number>, statuses: Record<string, number>): Promise<string[]> {
  const problems: string[] = [];
  const conv = await new Promise<{ data: Buffer; closed: boolean; localPort: number }>((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let localPort = 0;
    let settled = false;
    const done = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!closed && c.abortAfter >= 0 && !sock.destroyed) sock.resetAndDestroy();
      else sock.destroy();
      resolve({ data: Buffer.concat(chunks), closed, localPort });
    };
    const timer = setTimeout(() => done(false), CLOSE_TIMEOUT);
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('end', () => done(true));
    sock.on('close', () => done(true));
    sock.on('error', () => done(true));
    sock.on('connect', () => {
      localPort = sock.localPort ?? 0;
      sock.setNoDelay(true);
      let off = 0;
      let k = 0;
      const step = (): void => {
        if (settled || sock.destroyed) return;
        if (k < c.pieces.length && off < c.bytes.length) {
          const n = c.pieces[k++];
          sock.write(c.bytes.subarray(off, off + n));
          off += n;
          setImmediate(step);
          return;
        }
        if (off < c.bytes.length) sock.write(c.bytes.subarray(off));
        if (c.abortAfter < 0) sock.end();
        else setTimeout(() => done(false), c.abortAfter); // a client that vanishes: RST
      };
      step();
    });
  });
  const aborted = c.abortAfter >= 0 && !conv.closed;
  if (!conv.closed && !aborted) problems.push(`server did not close within ${CLOSE_TIMEOUT} ms of the client's FIN`);
  // A 100 Continue can precede a final answer; parse and check (what an aborted
  // conversation got so far must be a well-formed prefix).
  const parsed = parseWire(conv.data, !aborted);
  if (parsed.error !== null) problems.push(`malformed answer: ${parsed.error} (${JSON.stringify(conv.data.toString('latin1').slice(0, 300))})`);
  const finals = parsed.responses.filter((r) => r.status >= 200);
  const calls = perPort.get(conv.localPort) ?? 0;
  perPort.delete(conv.localPort);
  if (finals.length > calls + 1) problems.push(`${finals.length} answers for ${calls} requests the app saw`);
  let lastId = 0;
  const seen = new Set<number>();
  for (let i = 0; i < finals.length; i++) {
    const r = finals[i];
    const key = String(r.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    const m = /^id=(\d+);/.exec(r.body.toString('latin1'));
    if (m !== null) {
      const id = Number(m[1]);
      if (seen.has(id)) problems.push(`request ${id} answered twice`);
      if (id < lastId) problems.push(`answers out of order (${id} after ${lastId})`);
      seen.add(id);
      lastId = id;
    }
    const close = /(^|,)\s*close\s*(,|$)/i.test(r.headers.connection ?? '');
    if (close && i < finals.length - 1) problems.push(`${finals.length - i - 1} answer(s) after a ${r.status} with connection: close`);
    if (r.status >= 400 && r.status !== 500 && !close) problems.push(`${r.status} without connection: close`);
  }
  return problems;
}
