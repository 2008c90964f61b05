// The WebSocket echo scenario: 50 connections, each sending a small text message and
// the next one when the echo arrives, against fasterapi's ASGI websocket interface, the
// `ws` library on fasterapi's onUpgrade hook, and `ws` on node:http. Server pinned to
// one core, this load generator should run on another (`taskset -c 1`); rounds
// alternate the order. Reports messages/s and the server's CPU µs per message (from /proc).
//   node dist/bench/http/ws-echo.js [--duration 5] [--rounds 3] [--connections 50]
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { allowedCpus, installExitHandlers, spawnTracked, stopChild, which } from './children.js';
import { treeCpuSeconds } from './stats.js';

export const WS_CONTENDERS = [
  { name: 'ws-asgi', label: 'fasterapi, ASGI websocket messages', file: 'ws-asgi.js' },
  { name: 'ws-hook', label: 'fasterapi, ws library on onUpgrade', file: 'ws-hook.js' },
  { name: 'ws-node', label: 'node:http, ws library', file: 'ws-node.js' },
] as const;
const BASELINE = 'ws-node';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

async function connect(url: string, deadline: number): Promise<WebSocket> {
  for (;;) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    try {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return ws;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Echo traffic over `conns` for `ms`: messages answered. Every echo is checked before counting. */
async function load(conns: WebSocket[], ms: number): Promise<number> {
  let count = 0;
  let running = true;
  const payload = 'x'.repeat(32);
  for (const ws of conns) {
    ws.removeAllListeners('message');
    ws.on('message', (data) => {
      if (data.toString() !== payload) throw new Error('wrong echo');
      count++;
      if (running) ws.send(payload);
    });
    ws.send(payload);
  }
  await new Promise((r) => setTimeout(r, ms));
  running = false;
  await new Promise((r) => setTimeout(r, 50));
  return count;
}

export interface WsResult {
  name: string;
  msgsPerS: number[];
  cpuUsPerMsg: number[];
}

export async function runWsEcho(o: { durationS: number; rounds: number; connections: number }): Promise<WsResult[]> {
  const dir = fileURLToPath(new URL('./servers/', import.meta.url));
  const cpus = allowedCpus(2);
  const pin = which('taskset') !== null && cpus.length >= 2 ? String(cpus[0]) : null;
  const results = WS_CONTENDERS.map((c) => ({ name: c.name, msgsPerS: [] as number[], cpuUsPerMsg: [] as number[] }));
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? WS_CONTENDERS : [...WS_CONTENDERS].reverse();
    for (const c of order) {
      const port = await freePort();
      const child = spawnTracked(process.execPath, [dir + c.file], { cpus: pin, nofile: null, env: { ...process.env, PORT: String(port) } });
      try {
        const url = `ws://127.0.0.1:${port}/echo`;
        const conns = await Promise.all(Array.from({ length: o.connections }, () => connect(url, Date.now() + 10_000)));
        await load(conns, 1000); // warm-up
        const cpu0 = treeCpuSeconds(child.pid!) ?? Number.NaN;
        const n = await load(conns, o.durationS * 1000);
        const cpu1 = treeCpuSeconds(child.pid!) ?? Number.NaN;
        for (const ws of conns) ws.terminate();
        const r = results.find((x) => x.name === c.name)!;
        r.msgsPerS.push(n / o.durationS);
        r.cpuUsPerMsg.push(((cpu1 - cpu0) * 1e6) / n);
      } finally {
        await stopChild(child);
      }
    }
  }
  return results;
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;

export function wsReport(results: WsResult[]): string {
  const base = results.find((r) => r.name === BASELINE)!;
  const lines = ['| server | messages/s (median) | × node:http+ws | server CPU µs/message | per-round messages/s |', '|---|---|---|---|---|'];
  for (const r of results) {
    const label = WS_CONTENDERS.find((c) => c.name === r.name)!.label;
    lines.push(
      `| ${label} | ${Math.round(median(r.msgsPerS))} | ${(median(r.msgsPerS) / median(base.msgsPerS)).toFixed(2)} | ${median(r.cpuUsPerMsg).toFixed(1)} | ${r.msgsPerS.map(Math.round).join(', ')} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  installExitHandlers();
  const results = await runWsEcho({ durationS: arg('duration', 5), rounds: arg('rounds', 3), connections: arg('connections', 50) });
  console.log(wsReport(results));
}
