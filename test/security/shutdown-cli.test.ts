/**
 * The CLI under load: SIGTERM while clients keep sending (every accepted request is
 * answered, new connections are refused, the process exits 0), and a rolling restart
 * of `--workers 2` (SIGTERM one worker, wait for its replacement, then the other)
 * that loses no request.
 *
 * Accepted requests are what the app printed on stdout (fixtures/counted-app.ts).
 * A client whose connection closes with a request unanswered sends it again on a new
 * connection, as HTTP clients do for a request that got no byte of answer; the same id
 * accepted twice would mean a request ran and its answer was lost.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { startCli, type Cli } from '../cli/spawn.js';
import { parseWire, sleep } from './wire.js';

const APP = fileURLToPath(new URL('./fixtures/counted-app.js', import.meta.url));

interface Load {
  /** id → pid that answered */
  answered: Map<string, number>;
  retries: number;
  failures: string[];
  pids: Set<number>;
  stop(): Promise<void>;
}

/**
 * `clients` connections sending GET /load with a unique x-id, one at a time: even
 * clients keep their connection alive, odd ones open a new connection per request.
 */
function startLoad(port: number, clients: number, retry: boolean): Load {
  const load: Load = { answered: new Map(), retries: 0, failures: [], pids: new Set(), stop: async () => {} };
  let stopping = false;
  let seq = 0;
  const client = async (c: number): Promise<void> => {
    let pending: string | null = null;
    while (!stopping || pending !== null) {
      const sock = net.connect(port, '127.0.0.1');
      const outcome = await new Promise<'closed' | 'refused' | 'stopped'>((resolve) => {
        let buf = Buffer.alloc(0);
        const next = (): void => {
          if (stopping && pending === null) {
            resolve('stopped');
            return;
          }
          if (pending === null) pending = `c${c}-${seq++}`;
          const close = c % 2 === 1 ? 'Connection: close\r\n' : '';
          sock.write(`GET /load HTTP/1.1\r\nHost: example.com\r\nX-Id: ${pending}\r\n${close}\r\n`);
        };
        sock.on('connect', next);
        sock.on('data', (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          const res = parseWire(buf, false);
          if (res.error !== null) load.failures.push(`${pending}: ${res.error}`);
          if (res.responses.length === 0) return;
          buf = buf.subarray(buf.length - res.rest);
          for (const r of res.responses) {
            const [id, pid] = r.body.toString('latin1').split(' ');
            if (r.status !== 200 || id !== pending) load.failures.push(`${pending}: got ${r.status} ${r.body.toString('latin1')}`);
            load.answered.set(id, Number(pid));
            load.pids.add(Number(pid));
            pending = null;
            if (/close/i.test(r.headers.connection ?? '')) return resolve('closed');
          }
          next();
        });
        sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : 'closed'));
        sock.on('close', () => resolve('closed'));
      });
      sock.destroy();
      if (outcome === 'stopped') return;
      if (outcome === 'refused') {
        if (pending !== null && !stopping) load.failures.push(`${pending}: connection refused`);
        if (!retry || stopping) return;
        await sleep(20);
      }
      if (pending !== null) {
        if (!retry) return;
        load.retries++;
      }
    }
  };
  const running = Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  load.stop = async () => {
    stopping = true;
    await running;
  };
  return load;
}

/** "ACCEPT id pid" lines printed by the app. */
function accepted(cli: Cli): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of cli.stdout().split('\n')) {
    const [tag, id] = line.split(' ');
    if (tag !== 'ACCEPT') continue;
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

test('SIGTERM under load: every accepted request answered, new connections refused, exit 0', async () => {
  const { cli, port } = await startCli([APP, '--port', '0']);
  try {
    const load = startLoad(port, 20, false);
    await sleep(500);
    // A slow request in flight keeps the process draining while we try to connect.
    const slow = new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let d = '';
      s.on('data', (x: Buffer) => (d += x.toString('latin1')));
      s.on('close', () => resolve(d));
      s.on('error', () => resolve(d));
      s.on('connect', () => s.write('GET /slow HTTP/1.1\r\nHost: example.com\r\nX-Id: slow\r\n\r\n'));
    });
    await sleep(100);
    cli.child.kill('SIGTERM');
    await sleep(150);
    const during = await connectOutcome(port);
    const stillRunning = cli.child.exitCode === null;
    const code = await cli.exited(8000);
    await load.stop();
    const acc = accepted(cli);
    const answeredIds = new Set(load.answered.keys());
    const lost = [...acc.keys()].filter((id) => id !== 'slow' && !answeredIds.has(id));
    console.log(`  SIGTERM: ${acc.size - 1} load requests accepted, ${load.answered.size} answered, ${lost.length} lost; the slow one answered: ${/slow \d+$/.test(await slow)}`);
    assert.is(code, 0);
    assert.ok(stillRunning, 'the process was still draining the slow request');
    assert.is(during, 'ECONNREFUSED', 'no new connection while draining');
    assert.match(await slow, /^HTTP\/1\.1 200 OK[\s\S]*connection: close[\s\S]*slow \d+$/);
    assert.equal(lost, [], 'accepted but never answered');
    assert.equal(load.failures, []);
    assert.ok(acc.size > 100, `load was running (${acc.size} accepted)`);
  } finally {
    cli.kill();
  }
});

/** Resolves once a response came from a pid not in `known`. */
async function newPid(load: Load, known: Set<number>, ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    for (const p of load.pids) if (!known.has(p)) return p;
    await sleep(20);
  }
  throw new Error(`no new worker answered within ${ms} ms`);
}

test('--workers 2, rolling restart under load (SIGTERM one worker, then the other): no request lost', async () => {
  const { cli, port } = await startCli([APP, '--port', '0', '--workers', '2'], {});
  try {
    const load = startLoad(port, 20, true);
    const t0 = Date.now();
    while (load.pids.size < 2 && Date.now() - t0 < 5000) await sleep(20);
    const [a, b] = [...load.pids];
    assert.ok(a !== undefined && b !== undefined, 'both workers answer');
    const known = new Set([a, b]);
    process.kill(a, 'SIGTERM');
    const a2 = await newPid(load, known, 8000);
    known.add(a2);
    await sleep(300);
    process.kill(b, 'SIGTERM');
    const b2 = await newPid(load, known, 8000);
    await sleep(300);
    await load.stop();
    cli.child.kill('SIGTERM');
    assert.is(await cli.exited(8000), 0);
    const acc = accepted(cli);
    const twice = [...acc.entries()].filter(([, n]) => n > 1).map(([id]) => id);
    const lost = [...acc.keys()].filter((id) => !load.answered.has(id));
    console.log(
      `  rolling restart: workers ${a},${b} → ${a2},${b2}; ${load.answered.size} requests answered, ` +
        `${load.retries} resent after a close before any answer, ${twice.length} run twice, ${lost.length} lost`,
    );
    assert.equal(load.failures, [], 'no refused connection, no bad answer');
    assert.equal(twice, [], 'no request ran twice');
    assert.equal(lost, [], 'no accepted request unanswered');
    assert.ok(load.answered.size > 200, `load was running (${load.answered.size})`);
  } finally {
    cli.kill();
  }
});

test.run();
