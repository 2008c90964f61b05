// What TLS costs per request, fasterapi next to node:https: GET / keep-alive, plain and
// TLS, each server started fresh per round, rounds alternating, medians reported.
//   node dist/bench/http/tls.js [--rounds 3] [--duration 5] [--connections 50]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installExitHandlers, spawnTracked, stopChild } from './children.js';
import { pickLoadGenerator } from './load.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('rounds', 3);
const DURATION = arg('duration', 5);
const CONNECTIONS = arg('connections', 50);
const SERVER = fileURLToPath(new URL('./servers/tls-hello.js', import.meta.url));

installExitHandlers();
const dir = mkdtempSync(join(tmpdir(), 'fasterapi-tls-bench-'));
const key = join(dir, 'key.pem');
const cert = join(dir, 'cert.pem');
const made = spawnSync('openssl', [
  'req',
  '-x509',
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-nodes',
  '-keyout',
  key,
  '-out',
  cert,
  '-subj',
  '/CN=localhost',
  '-days',
  '1',
]);
if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);

const { gen, note } = pickLoadGenerator('wrk');
if (note) console.log(`note: ${note}`);

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on ${port} did not start`);
}

const CASES = [
  { kind: 'node', tls: false, label: 'node:http' },
  { kind: 'fasterapi', tls: false, label: 'fasterapi' },
  { kind: 'node', tls: true, label: 'node:https' },
  { kind: 'fasterapi', tls: true, label: 'fasterapi TLS' },
] as const;

const rps = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? CASES : [...CASES].reverse();
  for (const c of order) {
    const port = await freePort();
    const env = { ...process.env, KIND: c.kind, PORT: String(port), ...(c.tls ? { TLS_KEY: key, TLS_CERT: cert } : {}) };
    const child = spawnTracked(process.execPath, [SERVER], { cpus: null, nofile: null, env });
    await waitPort(port);
    const url = `${c.tls ? 'https' : 'http'}://127.0.0.1:${port}/`;
    const spec = { url, connections: CONNECTIONS, durationS: 1, pipelining: 1, headers: {}, cpus: null, nofile: null };
    await gen.run(spec, () => {}); // warm-up
    const r = await gen.run({ ...spec, durationS: DURATION }, () => {});
    await stopChild(child);
    if (r.errors > 0 || r.non2xx > 0) console.log(`  ${c.label}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    rps.set(c.label, [...(rps.get(c.label) ?? []), r.rps]);
    console.log(`round ${round + 1} ${c.label.padEnd(14)} ${Math.round(r.rps)} req/s  p50 ${r.p50Ms ?? '-'} ms`);
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const m = (label: string): number => median(rps.get(label)!);
console.log(`\nmedians over ${ROUNDS} rounds (${gen.name}, ${CONNECTIONS} connections, ${DURATION} s, keep-alive GET /):`);
for (const c of CASES) console.log(`  ${c.label.padEnd(14)} ${Math.round(m(c.label))} req/s`);
console.log(`  TLS keeps ${(m('node:https') / m('node:http')).toFixed(2)} of node:http's rate, ${(m('fasterapi TLS') / m('fasterapi')).toFixed(2)} of fasterapi's`);
console.log(`  fasterapi TLS / node:https = ${(m('fasterapi TLS') / m('node:https')).toFixed(2)}`);
