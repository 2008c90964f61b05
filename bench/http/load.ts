// Load generation: wrk when installed (text output parsed; pipelining through a Lua script), otherwise
// autocannon, in-process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onCleanup, spawnTracked, tail, which } from './children.js';

export interface LoadSpec {
  url: string;
  connections: number;
  durationS: number;
  /** Requests per write on each connection (1 = plain keep-alive). */
  pipelining: number;
  headers: Record<string, string>;
  /** taskset CPU list for the load generator (wrk runs one thread per CPU listed), or null. */
  cpus: string | null;
  /** Soft fd limit to raise to in the load generator's process, or null. */
  nofile: number | null;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  non2xx: number;
}

export interface LoadGenerator {
  name: string;
  /** The generator runs inside this process (its CPU is ours). */
  inProcess: boolean;
  run(spec: LoadSpec, onStart: (pid: number | null) => void): Promise<LoadResult>;
}

// The classic wrk pipeline.lua: one write carries `depth` requests (wrk counts each response).
const PIPELINE_LUA = `-- written by bench/http/load.ts
local depth = 16
init = function(args)
  depth = tonumber(args[1]) or depth
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format()
  end
  req = table.concat(r)
end
request = function()
  return req
end
`;

function toMs(value: string, unit: string): number {
  const v = Number(value);
  switch (unit) {
    case 'us':
      return v / 1000;
    case 'ms':
      return v;
    case 's':
      return v * 1000;
    case 'm':
      return v * 60_000;
    default:
      return Number.NaN;
  }
}

/** Parses `wrk --latency` text output. */
export function parseWrk(out: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  if (rps === null || total === null) throw new Error(`unexpected wrk output:\n${out}`);
  const pct = (p: string): number | null => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m === null || Number(m[1]) === 0 ? null : toMs(m[1]!, m[2]!);
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock === null ? 0 : sock.slice(1).reduce((a, b) => a + Number(b), 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    requests: Number(total[1]),
    durationS: toMs(total[2]!, total[3]!) / 1000,
    rps: Number(rps[1]),
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    errors,
    non2xx,
  };
}

function wrkGenerator(binary: string): LoadGenerator {
  const version = /wrk\s+(\S+)/.exec(spawnSync(binary, ['-v'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '?';
  let luaPath: string | null = null;
  const lua = (): string => {
    if (luaPath === null) {
      const dir = mkdtempSync(join(tmpdir(), 'fasterapi-bench-wrk-'));
      luaPath = join(dir, 'pipeline.lua');
      writeFileSync(luaPath, PIPELINE_LUA);
      onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    }
    return luaPath;
  };
  return {
    name: `wrk ${version}`,
    inProcess: false,
    run(spec, onStart) {
      // One wrk thread per load-generator core.
      const threads = Math.min(spec.cpus === null ? 1 : spec.cpus.split(',').length, spec.connections);
      const args = [`-t${threads}`, `-c${spec.connections}`, `-d${Math.max(1, Math.round(spec.durationS))}s`, '--latency', '--timeout', '5s'];
      for (const [k, v] of Object.entries(spec.headers)) args.push('-H', `${k}: ${v}`);
      if (spec.pipelining > 1) args.push('-s', lua());
      args.push(spec.url);
      if (spec.pipelining > 1) args.push('--', String(spec.pipelining));
      const child = spawnTracked(binary, args, { cpus: spec.cpus, nofile: spec.nofile });
      const stdout = tail(child.stdout, 65536);
      const stderr = tail(child.stderr);
      onStart(child.pid ?? null);
      return new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          if (code !== 0) reject(new Error(`wrk exited with ${signal ?? code}: ${stderr().trim() || stdout().trim()}`));
          else {
            try {
              const r = parseWrk(stdout());
              // With a pipeline script wrk's histogram counts batches, not requests: its percentiles are wrong.
              resolve(spec.pipelining > 1 ? { ...r, p50Ms: null, p99Ms: null } : r);
            } catch (err) {
              reject(err);
            }
          }
        });
      });
    },
  };
}

interface AutocannonResult {
  duration: number;
  errors: number;
  non2xx: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
}
type Autocannon = (
  opts: { url: string; connections: number; duration: number; pipelining: number; headers: Record<string, string> },
  cb: (err: Error | null, result: AutocannonResult) => void,
) => unknown;

function autocannonGenerator(): LoadGenerator {
  const require = createRequire(import.meta.url);
  const autocannon = require('autocannon') as Autocannon;
  const pkg = JSON.parse(readFileSync(join(dirname(require.resolve('autocannon')), 'package.json'), 'utf8')) as { version: string };
  return {
    name: `autocannon ${pkg.version}`,
    inProcess: true,
    run(spec, onStart) {
      onStart(null);
      return new Promise((resolve, reject) => {
        autocannon({ url: spec.url, connections: spec.connections, duration: spec.durationS, pipelining: spec.pipelining, headers: spec.headers }, (err, r) => {
          if (err !== null) return reject(err);
          resolve({
            requests: r.requests.total,
            durationS: r.duration,
            rps: r.requests.total / r.duration,
            p50Ms: r.latency.p50,
            p99Ms: r.latency.p99,
            errors: r.errors,
            non2xx: r.non2xx,
          });
        });
      });
    },
  };
}

/** wrk when on PATH (unless autocannon is asked for), else autocannon; `note` says why. */
export function pickLoadGenerator(prefer: 'wrk' | 'autocannon' | null): { gen: LoadGenerator; note: string | null } {
  const wrk = which('wrk');
  if (prefer !== 'autocannon' && wrk !== null) return { gen: wrkGenerator(wrk), note: null };
  const note =
    prefer === 'autocannon' ? 'autocannon chosen with --loadgen' : 'wrk not on PATH (Debian package `wrk`): using autocannon in-process, which may saturate before fast servers do';
  return { gen: autocannonGenerator(), note };
}
