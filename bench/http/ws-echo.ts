// The WebSocket echo scenario: 50 connections, each keeping `inflight` small text messages
// (32 bytes) in flight and sending the next one when an echo arrives, against fasterapi's
// ASGI websocket interface, the `ws` library on fasterapi's onUpgrade hook, and `ws` on
// node:http. The server is pinned to one core, this process (the raw-socket load
// generator, ws-load.ts) to another; rounds alternate the order. Reports messages/s and
// the server's CPU µs per message (from /proc).
//   node dist/bench/http/ws-echo.js [--duration 5] [--rounds 3] [--connections 50] [--inflight 8]
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { allowedCpus, installExitHandlers, spawnTracked, stopChild, which } from './children.js';
import { treeCpuSeconds } from './stats.js';
import { EchoLoad } from './ws-load.js';

export const WS_CONTENDERS = [
  { name: 'ws-asgi', label: 'fasterapi, ASGI websocket messages', file: 'ws-asgi.js' },
  { name: 'ws-hook', label: 'fasterapi, ws library on onUpgrade', file: 'ws-hook.js' },
  { name: 'ws-node', label: 'node:http, ws library', file: 'ws-node.js' },
] as const;
const BASELINE = 'ws-node';
/** Messages in flight per connection. */
export const WS_INFLIGHT = 8;

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

export interface WsResult {
  name: string;
  msgsPerS: number[];
  cpuUsPerMsg: number[];
}

export async function runWsEcho(o: { durationS: number; rounds: number; connections: number; inflight: number }): Promise<WsResult[]> {
  const dir = fileURLToPath(new URL('./servers/', import.meta.url));
  const cpus = allowedCpus(2);
  const pin = which('taskset') !== null && cpus.length >= 2 ? String(cpus[0]) : null;
  // The load generator on the other core (all of this process's threads), the whole set again after.
  if (pin !== null) spawnSync('taskset', ['-a', '-p', '-c', String(cpus[1]), String(process.pid)], { stdio: 'ignore' });
  const results = WS_CONTENDERS.map((c) => ({ name: c.name, msgsPerS: [] as number[], cpuUsPerMsg: [] as number[] }));
  for (let round = 0; round < o.rounds; round++) {
    const order = round % 2 === 0 ? WS_CONTENDERS : [...WS_CONTENDERS].reverse();
    for (const c of order) {
      const port = await freePort();
      const child = spawnTracked(process.execPath, [dir + c.file], { cpus: pin, nofile: null, env: { ...process.env, PORT: String(port) } });
      try {
        const load = new EchoLoad(32, o.inflight);
        await load.open(port, '/echo', o.connections, Date.now() + 10_000);
        await load.run(1000); // warm-up
        const cpu0 = treeCpuSeconds(child.pid!) ?? Number.NaN;
        const n = await load.run(o.durationS * 1000);
        const cpu1 = treeCpuSeconds(child.pid!) ?? Number.NaN;
        load.close();
        const r = results.find((x) => x.name === c.name)!;
        r.msgsPerS.push(n / o.durationS);
        r.cpuUsPerMsg.push(((cpu1 - cpu0) * 1e6) / n);
      } finally {
        await stopChild(child);
      }
    }
  }
  if (pin !== null) spawnSync('taskset', ['-a', '-p', '-c', cpus.join(','), String(process.pid)], { stdio: 'ignore' });
  return results;
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;

export function wsReport(results: WsResult[]): string {
  const base = results.find((r) => r.name === BASELINE)!;
  const lines = ['| server | messages/s (median) | × node:http+ws | server CPU µs/message | node:http+ws CPU ÷ this | per-round messages/s |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    const label = WS_CONTENDERS.find((c) => c.name === r.name)!.label;
    lines.push(
      `| ${label} | ${Math.round(median(r.msgsPerS))} | ${(median(r.msgsPerS) / median(base.msgsPerS)).toFixed(2)} | ${median(r.cpuUsPerMsg).toFixed(1)} | ${(median(base.cpuUsPerMsg) / median(r.cpuUsPerMsg)).toFixed(2)} | ${r.msgsPerS.map(Math.round).join(', ')} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  installExitHandlers();
  const results = await runWsEcho({ durationS: arg('duration', 5), rounds: arg('rounds', 3), connections: arg('connections', 50), inflight: arg('inflight', WS_INFLIGHT) });
  console.log(wsReport(results));
}
