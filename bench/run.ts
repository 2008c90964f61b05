// Benchmark suite: the micro part (bench/micro/run.ts, when present), then HTTP load against every
// contender, one server at a time. `node dist/bench/run.js [--quick] [--only a,b] [--scenario x,y]`.
import { REALISTIC } from './micro/shapes.js';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.js';
import { allowedCpus, fdLimits, installExitHandlers, stopAll, which } from './http/children.js';
import {
  baselineFor,
  CONTENDERS,
  checkAnswers,
  headersFor,
  HOST,
  startServer,
  StartError,
  type Contender,
  type Route,
  type RunningServer,
  type StartOptions,
} from './http/contenders.js';
import { pickLoadGenerator } from './http/load.js';
import { WS_INFLIGHT, runWsEcho, wsReport } from './http/ws-echo.js';
import { cpuSeconds, CpuSampler, procAvailable, selfCpuSeconds, systemCpuSeconds, treeCpuSeconds, treePeakRssMiB } from './http/stats.js';
import { computeTargets, median, printTable, ratiosTo, writeJson, writeMarkdown } from './report.js';
import type { BenchReport, ContenderInfo, Figures, MicroResult, ScenarioResult, Skip } from './types.js';

interface Scenario {
  name: string;
  title: string;
  route: Route;
  connections: number;
  pipelining: number;
  /** fasterapi under the node:cluster wrapper with this many workers. */
  workers?: number;
}

const SCENARIOS: Scenario[] = [
  // The headline (bench/RESULTS.md leads with it): the realistic app of bench/micro/shapes.ts REALISTIC.
  {
    name: 'realistic-keepalive',
    title: `realistic app, keep-alive, 50 connections, GET ${REALISTIC.path} (browser headers, 2 proxies)`,
    route: REALISTIC.path,
    connections: 50,
    pipelining: 1,
  },
  {
    name: 'realistic-pipeline',
    title: `realistic app, 16-deep pipelining, 50 connections, GET ${REALISTIC.path} (browser headers, 2 proxies)`,
    route: REALISTIC.path,
    connections: 50,
    pipelining: 16,
  },
  { name: 'keepalive-hello', title: 'keep-alive, 50 connections, GET /', route: '/', connections: 50, pipelining: 1 },
  { name: 'keepalive-json', title: 'keep-alive, 50 connections, GET /json', route: '/json', connections: 50, pipelining: 1 },
  { name: 'keepalive-param', title: 'keep-alive, 50 connections, GET /users/42 (path parameter)', route: '/users/42', connections: 50, pipelining: 1 },
  { name: 'pipeline-json', title: '16-deep pipelining, 50 connections, GET /json', route: '/json', connections: 50, pipelining: 16 },
  { name: 'keepalive-ip', title: 'keep-alive, 50 connections, GET /ip behind a proxy (X-Forwarded-*)', route: '/ip', connections: 50, pipelining: 1 },
  { name: 'pipeline-hello', title: '16-deep pipelining, 50 connections, GET /', route: '/', connections: 50, pipelining: 16 },
  { name: 'scale-c10', title: 'keep-alive, 10 connections, GET /', route: '/', connections: 10, pipelining: 1 },
  { name: 'scale-c100', title: 'keep-alive, 100 connections, GET /', route: '/', connections: 100, pipelining: 1 },
  { name: 'scale-c1000', title: 'keep-alive, 1000 connections, GET /', route: '/', connections: 1000, pipelining: 1 },
  { name: 'workers-1', title: 'node:cluster, 1 worker, keep-alive, 50 connections, GET /', route: '/', connections: 50, pipelining: 1, workers: 1 },
  { name: 'workers-2', title: 'node:cluster, 2 workers, keep-alive, 50 connections, GET /', route: '/', connections: 50, pipelining: 1, workers: 2 },
];
const WORKERS_OF = 'fasterapi';
/** In quick mode (unless scenarios are named) the scale scenarios run for these servers only, and not scale-c10. */
const QUICK_SCALE = ['node-http', 'fasterapi'];
const QUICK_SKIPS = ['scale-c10'];
/** Seconds from the runner's start by which a quick run should be done (npm run bench:quick < 90 s with the build). */
const QUICK_BUDGET_S = 76;
const FD_MARGIN = 128;
/** CPU use by other processes (% of one core) above which a run is flagged as disturbed. */
const BUSY_PCT = 15;

interface Options {
  quick: boolean;
  only: string[] | null;
  scenarios: string[] | null;
  loadgen: 'wrk' | 'autocannon' | null;
  rounds: number | null;
  durationS: number | null;
}

const USAGE = `usage: node dist/bench/run.js [--quick] [--only name,name] [--scenario name,name]
                              [--loadgen wrk|autocannon] [--rounds n] [--duration s]
servers:   ${CONTENDERS.map((c) => c.name).join(', ')}
scenarios: micro, ${SCENARIOS.map((s) => s.name).join(', ')} (or a prefix: realistic, keepalive, pipeline, scale, workers);
           ws-echo alone: the WebSocket echo scenario (bench/http/ws-echo.ts)`;

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: null, scenarios: null, loadgen: null, rounds: null, durationS: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const list = (): string[] =>
      value()
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    switch (flag) {
      case '--quick':
        o.quick = true;
        break;
      case '--only':
        o.only = list();
        break;
      case '--scenario':
      case '--scenarios':
        o.scenarios = list();
        break;
      case '--loadgen': {
        const v = value();
        if (v !== 'wrk' && v !== 'autocannon') throw new Error(`--loadgen wrk|autocannon\n${USAGE}`);
        o.loadgen = v;
        break;
      }
      case '--rounds':
        o.rounds = Math.max(1, Number(value()) | 0);
        break;
      case '--duration':
        o.durationS = Math.max(1, Math.round(Number(value())));
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        return process.exit(0); // `return` ends the case for the linter; exit() does not return
      default:
        throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
    }
  }
  const unknown = (o.only ?? []).filter((n) => !CONTENDERS.some((c) => c.name === n));
  if (unknown.length > 0) throw new Error(`unknown server(s) ${unknown.join(', ')}\n${USAGE}`);
  const badScenario = (o.scenarios ?? []).filter((n) => n !== 'micro' && n !== 'ws-echo' && !SCENARIOS.some((s) => matches(s.name, [n])));
  if (badScenario.length > 0) throw new Error(`unknown scenario(s) ${badScenario.join(', ')}\n${USAGE}`);
  return o;
}

const matches = (name: string, wanted: string[]): boolean => wanted.some((w) => name === w || name.startsWith(`${w}-`));

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

function medianFigures(rounds: Figures[]): Figures {
  const pick = (k: keyof Figures): number | null => {
    const v = rounds.map((r) => r[k]).filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length === 0 ? null : median(v);
  };
  return {
    rps: pick('rps') ?? 0,
    requests: pick('requests') ?? 0,
    cpuUsPerReq: pick('cpuUsPerReq'),
    serverCpuPct: pick('serverCpuPct'),
    loadgenCpuPct: pick('loadgenCpuPct'),
    otherCpuPct: pick('otherCpuPct'),
    peakRssMiB: pick('peakRssMiB'),
    p50Ms: pick('p50Ms'),
    p99Ms: pick('p99Ms'),
    errors: pick('errors') ?? 0,
    non2xx: pick('non2xx') ?? 0,
  };
}

/** Normalises the micro part's rows (name, ops/s, ns/op, bytes/op), tolerating close field names. */
function normaliseMicro(rows: unknown): MicroResult[] {
  if (!Array.isArray(rows)) throw new Error('runMicro() did not return an array');
  return rows.map((r: Record<string, unknown>) => {
    const n = (...keys: string[]): number | null => {
      for (const k of keys) if (typeof r[k] === 'number' && Number.isFinite(r[k])) return r[k];
      return null;
    };
    const ops = n('opsPerSec', 'ops', 'hz', 'opsPerSecond') ?? 0;
    return {
      name: String(r.name ?? r.task ?? '?'),
      opsPerSec: ops,
      nsPerOp: n('nsPerOp', 'ns', 'nsPerRequest') ?? (ops > 0 ? 1e9 / ops : 0),
      bytesPerOp: n('bytesPerOp', 'bytes', 'bytesPerRequest'),
    };
  });
}

async function runMicroPart(quick: boolean, skipped: Skip[]): Promise<MicroResult[] | null> {
  const url = new URL('./micro/run.js', import.meta.url);
  const skip = (why: string): null => {
    console.log(`micro-benchmarks: skipped — ${why}`);
    skipped.push({ what: 'micro-benchmarks', why });
    return null;
  };
  if (!existsSync(fileURLToPath(url))) return skip('bench/micro/run.ts is not written yet (dist/bench/micro/run.js missing)');
  let mod: { runMicro?: unknown };
  try {
    mod = (await import(url.href)) as { runMicro?: unknown };
  } catch (err) {
    return skip(`failed to load: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof mod.runMicro !== 'function') return skip('bench/micro/run.js does not export runMicro()');
  console.log('micro-benchmarks: running');
  try {
    return normaliseMicro(await (mod.runMicro as (o: { quick: boolean }) => Promise<unknown>)({ quick }));
  } catch (err) {
    return skip(`failed: ${(err as Error).stack ?? String(err)}`);
  }
}

interface Pinning {
  server: string | null;
  loadgen: string | null;
  note: string | null;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  installExitHandlers();
  const argv = process.argv.slice(2);
  const opts = parseArgs(argv);
  const root = repoRoot();
  const skipped: Skip[] = [];
  const skip = (what: string, why: string): void => {
    console.log(`${what}: skipped — ${why}`);
    skipped.push({ what, why });
  };
  const cores = os.availableParallelism();
  const machine = {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores,
    node: process.version,
    platform: os.platform(),
    kernel: os.release(),
    memoryGiB: os.totalmem() / 2 ** 30,
    date: new Date().toISOString(),
  };
  console.log(`fasterapi bench (${opts.quick ? 'quick' : 'full'}): ${machine.cpuModel}, ${cores} cores, Node ${machine.node}`);

  if (opts.scenarios?.includes('ws-echo')) {
    console.log(wsReport(await runWsEcho({ durationS: opts.durationS ?? 5, rounds: opts.rounds ?? 3, connections: 50, inflight: WS_INFLIGHT })));
    return;
  }

  // 1. Micro part first, when it is there.
  const micro = opts.scenarios === null || opts.scenarios.includes('micro') ? await runMicroPart(opts.quick, skipped) : null;

  // 2. Tools: load generator, pinning, fd limits.
  const { gen, note: genNote } = pickLoadGenerator(opts.loadgen);
  if (genNote !== null) console.log(`load generator: ${gen.name} (${genNote})`);
  else console.log(`load generator: ${gen.name}`);
  if (genNote !== null && opts.loadgen === null) skipped.push({ what: 'wrk', why: genNote });
  const cpus = allowedCpus(cores);
  const taskset = which('taskset');
  const pinWhy = taskset === null ? 'taskset not on PATH (Debian package util-linux)' : cpus.length < 2 ? `only ${cpus.length} core usable` : null;
  const pin = (serverCores: number): Pinning => {
    if (pinWhy !== null) return { server: null, loadgen: null, note: `unpinned: ${pinWhy}` };
    if (cpus.length >= serverCores + 1) {
      // The load generator gets the next core (two when there are, one wrk thread each: one thread caps near 70-80k req/s).
      return { server: cpus.slice(0, serverCores).join(','), loadgen: cpus.slice(serverCores, serverCores + 2).join(','), note: null };
    }
    const server = cpus.slice(0, Math.min(serverCores, cpus.length)).join(',');
    return { server, loadgen: String(cpus.at(-1)), note: `server on cores ${server} shares a core with the load generator (${cpus.length} cores)` };
  };
  const pin1 = pin(1);
  const pinning = pin1.note ?? `server on core ${pin1.server} (taskset -c ${pin1.server}), load generator on core${pin1.loadgen?.includes(',') ? 's' : ''} ${pin1.loadgen}`;
  console.log(`pinning: ${pinning}`);
  if (gen.inProcess && pin1.loadgen !== null) {
    // autocannon runs in this process: pin it (all threads) to the load generator's core.
    spawnSync('taskset', ['-a', '-p', '-c', pin1.loadgen, String(process.pid)], { stdio: 'ignore' });
  }
  if (!procAvailable) skip('CPU time and RSS', 'no /proc on this system');
  const need = 1000 + FD_MARGIN;
  const limits = fdLimits();
  let nofile: number | null = null;
  let scale1000Why: string | null = null;
  if (limits === null) scale1000Why = 'could not read the fd limit (ulimit -n)';
  else if (gen.inProcess && limits.soft < need)
    scale1000Why = `the runner's fd soft limit is ${limits.soft} and autocannon runs in-process: raise it with \`ulimit -n ${need}\` first`;
  else if (limits.soft < need && limits.hard >= need) nofile = need;
  else if (limits.soft < need) scale1000Why = `fd hard limit ${limits.hard} < ${need}`;

  // Other processes busy on this machine make every figure noisy: say so.
  const backgroundCpuPct = !SCENARIOS.some((s) => opts.scenarios === null || matches(s.name, opts.scenarios))
    ? null
    : await (async (): Promise<number | null> => {
        const a = systemCpuSeconds();
        const s0 = selfCpuSeconds();
        await new Promise((r) => setTimeout(r, 500));
        const b = systemCpuSeconds();
        return a === null || b === null ? null : Math.max(0, ((b - a - (selfCpuSeconds() - s0)) / 0.5) * 100);
      })();
  if (backgroundCpuPct !== null && backgroundCpuPct > BUSY_PCT) {
    console.log(`warning: other processes use ${backgroundCpuPct.toFixed(0)}% of a core on this machine right now: figures will be noisy`);
  }

  // 3. Contenders, and the check that they all answer the same.
  const wanted = SCENARIOS.filter((s) => opts.scenarios === null || matches(s.name, opts.scenarios));
  const selected = wanted.length === 0 ? [] : CONTENDERS.filter((c) => opts.only === null || opts.only.includes(c.name));
  const infos = new Map<string, ContenderInfo>(selected.map((c) => [c.name, { name: c.name, label: c.label, status: 'ran' }]));
  const alive: Contender[] = [];
  const startTimes: number[] = [];
  if (selected.length > 0) console.log('\nchecking answers');
  for (const c of selected) {
    let server: RunningServer;
    try {
      server = await startServer(c, { cpus: pin1.server, nofile: null });
    } catch (err) {
      if (!(err instanceof StartError)) throw err;
      console.log(`  ${c.label}: skipped — ${err.message}`);
      Object.assign(infos.get(c.name)!, { status: 'skipped', reason: err.message });
      continue;
    }
    startTimes.push(server.startS);
    const { wrong, warnings } = await checkAnswers(c, server.port);
    await server.stop();
    for (const w of warnings) console.log(`  ${c.label}: warning — ${w}`);
    const why = `answers differ: ${[...wrong.values()].join('; ')}`;
    if (wrong.size === c.routes.length) {
      console.log(`  ${c.label}: dropped — ${why}`);
      Object.assign(infos.get(c.name)!, { status: 'dropped', reason: why });
      continue;
    }
    const routes = c.routes.filter((r) => !wrong.has(r));
    if (wrong.size > 0) {
      // Time only what it answers like the others: the scenarios on the other routes leave it out.
      console.log(`  ${c.label}: not timed on ${[...wrong.keys()].join(' ')} — ${why}`);
      skipped.push({ what: `${c.label} on ${[...wrong.keys()].join(' ')}`, why });
      infos.get(c.name)!.reason = `not measured on ${[...wrong.keys()].join(' ')}: ${why}`;
    }
    console.log(`  ${c.label}: ok on ${routes.join(' ')} (started in ${server.startS.toFixed(2)} s)`);
    alive.push({ ...c, routes });
  }

  // 4. The plan: which scenarios each server runs.
  if (scale1000Why !== null && wanted.some((s) => s.name === 'scale-c1000')) skip('scale-c1000', scale1000Why);
  // Quick mode (unless scenarios are named) runs the scale scenarios for node:http and fasterapi only.
  const quickScale = opts.quick && opts.scenarios === null;
  if (quickScale) skipped.push({ what: QUICK_SKIPS.join(', '), why: 'not in quick mode' });
  const runnable = wanted.filter((s) => !(s.name === 'scale-c1000' && scale1000Why !== null) && !(quickScale && QUICK_SKIPS.includes(s.name)));
  const scaleSet = alive.some((c) => QUICK_SCALE.includes(c.name)) ? QUICK_SCALE : alive.map((c) => c.name);
  if (quickScale && runnable.some((s) => s.name.startsWith('scale-')) && alive.some((c) => !scaleSet.includes(c.name))) {
    skip(
      'scale-* for the other servers',
      `quick mode runs the scale scenarios for ${scaleSet.filter((n) => alive.some((c) => c.name === n)).join(', ')} only (name them with --scenario scale to run them for all)`,
    );
  }
  const plan = new Map<Contender, Scenario[]>();
  for (const c of alive) {
    const list = runnable.filter(
      (s) =>
        s.workers === undefined &&
        c.routes.includes(s.route) &&
        (c.scenarios === undefined || c.scenarios.includes(s.name)) &&
        !(quickScale && s.name.startsWith('scale-') && !scaleSet.includes(c.name)),
    );
    if (list.length > 0) plan.set(c, list);
  }
  const workerScenarios = runnable.filter((s) => s.workers !== undefined);
  const clusterOf = alive.find((c) => c.name === WORKERS_OF);
  if (workerScenarios.length > 0 && clusterOf === undefined) {
    skip('workers-1/workers-2', `${WORKERS_OF} ${infos.get(WORKERS_OF)?.status === undefined ? 'not selected' : `is not running (${infos.get(WORKERS_OF)?.reason ?? ''})`}`);
  }
  const workerRuns = clusterOf === undefined ? [] : workerScenarios;
  const sessions = plan.size + workerRuns.length;
  const runs = [...plan.values()].reduce((n, l) => n + l.length, 0) + workerRuns.length;
  // Full mode: more, shorter rounds; each round gives one paired ratio, and their median
  // resists the minutes this host runs slow (bench/RESULTS.md shows the spread per round).
  const rounds = opts.rounds ?? (opts.quick ? 1 : 5);
  const warmupS = opts.quick ? 1 : 2;
  let durationS = opts.durationS ?? 3;
  const avgStart = startTimes.length === 0 ? 0.5 : startTimes.reduce((a, b) => a + b, 0) / startTimes.length;
  const estimate = (d: number): number => rounds * (sessions * (avgStart + warmupS + 0.4) + runs * (d + 0.25));
  if (opts.quick && opts.durationS === null) {
    while (durationS > 1 && elapsed() + estimate(durationS) > QUICK_BUDGET_S) durationS--;
  }
  if (runs > 0)
    console.log(
      `\nplan: ${runs} runs in ${sessions} server starts × ${rounds} round(s), ${durationS} s each (+${warmupS} s warm-up per start): about ${Math.ceil(estimate(durationS))} s`,
    );
  if (opts.quick && elapsed() + estimate(durationS) > QUICK_BUDGET_S + 10) {
    console.log(`  note: this is over the quick budget (90 s with the build); narrow it with --only / --scenario`);
  }

  // 5. Rounds: each server started fresh, warmed up, then its scenarios in turn; order alternates.
  const figures = new Map<string, Figures[]>();
  const startFailures = new Map<string, string>();
  const notes = new Map<string, string>();
  const key = (scenario: string, contender: string): string => `${scenario}\u0000${contender}`;

  const measure = async (server: RunningServer, s: Scenario, lgCpus: string | null): Promise<Figures> => {
    const before = treeCpuSeconds(server.pid);
    const sampler = new CpuSampler({ server: () => treeCpuSeconds(server.pid), system: systemCpuSeconds, ...(gen.inProcess ? {} : { runner: selfCpuSeconds }) });
    const r = await gen.run(
      {
        url: `http://${HOST}:${server.port}${s.route}`,
        connections: s.connections,
        durationS,
        pipelining: s.pipelining,
        headers: headersFor(s.route),
        cpus: lgCpus,
        nofile: s.connections + FD_MARGIN > (limits?.soft ?? Infinity) ? nofile : null,
      },
      (pid) => sampler.add('loadgen', pid === null ? selfCpuSeconds : () => cpuSeconds(pid)),
    );
    sampler.stop();
    const after = treeCpuSeconds(server.pid);
    const cpuS = before === null || after === null ? null : after - before;
    if (!server.alive()) throw new Error(`server exited during the run: ${server.stderr().trim().split('\n').at(-1) ?? ''}`);
    return {
      rps: r.rps,
      requests: r.requests,
      cpuUsPerReq: cpuS === null || r.requests === 0 ? null : (cpuS / r.requests) * 1e6,
      serverCpuPct: sampler.pct('server'),
      loadgenCpuPct: sampler.pct('loadgen'),
      otherCpuPct: sampler.remainderPct('system'),
      peakRssMiB: treePeakRssMiB(server.pid),
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      errors: r.errors,
      non2xx: r.non2xx,
    };
  };

  /** Starts `c` and warms it up on its first scenario's route; null when it cannot start. */
  const start = async (c: Contender, list: Scenario[], how: StartOptions, lgCpus: string | null, tag: string, round: number): Promise<RunningServer | null> => {
    let server: RunningServer;
    try {
      server = await startServer(c, how);
    } catch (err) {
      console.log(`  ${c.label}${tag}: could not start — ${(err as Error).message}`);
      startFailures.set(c.name, `could not start in round ${round}: ${(err as Error).message}`);
      return null;
    }
    const first = list[0]!;
    await gen.run(
      { url: `http://${HOST}:${server.port}${first.route}`, connections: 50, durationS: warmupS, pipelining: 1, headers: headersFor(first.route), cpus: lgCpus, nofile: null },
      () => {},
    );
    return server;
  };

  /** One scenario on one running server, recorded under this round. */
  const timeOne = async (c: Contender, server: RunningServer, s: Scenario, lgCpus: string | null, tag: string, round: number): Promise<void> => {
    try {
      let f = await measure(server, s, lgCpus);
      // Full mode: a run disturbed by other processes on the machine is measured once more.
      for (let retry = 0; retry < (opts.quick ? 0 : 1) && (f.otherCpuPct ?? 0) > BUSY_PCT; retry++) {
        console.log(`  [${round}/${rounds}] ${c.label}${tag} ${s.name}: other processes used ${f.otherCpuPct!.toFixed(0)}% CPU, measuring again`);
        const again = await measure(server, s, lgCpus);
        if ((again.otherCpuPct ?? 0) < f.otherCpuPct!) f = again;
      }
      f.round = round;
      const k = key(s.name, c.name);
      figures.set(k, [...(figures.get(k) ?? []), f]);
      const pct = (v: number | null): string => (v === null ? '–' : `${v.toFixed(0)}%`);
      console.log(
        `  [${round}/${rounds}] ${`${c.label}${tag}`.padEnd(26)} ${s.name.padEnd(15)} ${Math.round(f.rps).toLocaleString('en-US').padStart(10)} req/s  CPU: server ${pct(f.serverCpuPct)}, ${gen.name.split(' ')[0]} ${pct(f.loadgenCpuPct)}, other ${pct(f.otherCpuPct)}${f.errors + f.non2xx > 0 ? `; ${f.errors} errors, ${f.non2xx} non-2xx` : ''}`,
      );
    } catch (err) {
      console.log(`  [${round}/${rounds}] ${c.label}${tag} ${s.name}: failed — ${(err as Error).message}`);
    }
  };

  /** A server of its own for `list` (the cluster scenarios), stopped after. */
  const session = async (c: Contender, list: Scenario[], how: StartOptions, lgCpus: string | null, tag: string, round: number): Promise<void> => {
    const server = await start(c, list, how, lgCpus, tag, round);
    if (server === null) return;
    try {
      for (const s of list) if (server.alive()) await timeOne(c, server, s, lgCpus, tag, round);
    } finally {
      await server.stop();
    }
  };

  // Every server of the round is started (fresh) and warmed up first; then each scenario
  // runs on every server back to back, so the figures compared in a ratio are taken
  // seconds apart, not minutes: this host's speed drifts over minutes (bench/RESULTS.md).
  const entries = [...plan.entries()];
  for (let round = 1; runs > 0 && round <= rounds; round++) {
    console.log(`\nround ${round}/${rounds}`);
    const order = round % 2 === 0 ? [...entries].reverse() : entries;
    const up: [Contender, Scenario[], RunningServer][] = [];
    try {
      for (const [c, list] of order) {
        const needsFd = list.some((s) => s.connections + FD_MARGIN > (limits?.soft ?? Infinity));
        const server = await start(c, list, { cpus: pin1.server, nofile: needsFd ? nofile : null }, pin1.loadgen, '', round);
        if (server !== null) up.push([c, list, server]);
      }
      for (const s of runnable) {
        for (const [c, list, server] of up) {
          if (list.includes(s) && server.alive()) await timeOne(c, server, s, pin1.loadgen, '', round);
        }
      }
    } finally {
      for (const [, , server] of up) await server.stop();
    }
    if (clusterOf !== undefined) {
      const wOrder = round % 2 === 0 ? [...workerRuns].reverse() : workerRuns;
      for (const s of wOrder) {
        const p = pin(s.workers!);
        if (p.note !== null) notes.set(s.name, p.note);
        await session(clusterOf, [s], { cpus: p.server, nofile: null, workers: s.workers! }, p.loadgen, ` ×${s.workers}`, round);
      }
    }
  }

  // 6. Medians, ratios, report.
  const http: ScenarioResult[] = [];
  for (const s of SCENARIOS) {
    for (const c of CONTENDERS) {
      const rs = figures.get(key(s.name, c.name));
      if (rs === undefined || rs.length === 0) continue;
      http.push({
        scenario: s.name,
        title: s.title,
        contender: c.name,
        rounds: rs,
        median: medianFigures(rs),
        ratioToNodeHttp: null,
        cpuRatioToNodeHttp: null,
        ...(notes.has(s.name) ? { note: notes.get(s.name)! } : {}),
      });
    }
  }
  for (const r of http) {
    const route = SCENARIOS.find((s) => s.name === r.scenario)!.route;
    const base = http.find((b) => b.scenario === r.scenario && b.contender === baselineFor(route));
    if (base === undefined) continue;
    const q = ratiosTo(r, base);
    r.ratioToNodeHttp = q.rps;
    r.cpuRatioToNodeHttp = q.cpu;
  }
  const w1 = http.find((r) => r.scenario === 'workers-1');
  const w2 = http.find((r) => r.scenario === 'workers-2');
  if (w1 !== undefined && w2 !== undefined && w1.median.rps > 0) {
    w2.note = [`${(w2.median.rps / w1.median.rps).toFixed(2)}× workers-1`, w2.note].filter(Boolean).join('; ');
  }
  for (const c of infos.values()) {
    if (c.status === 'ran' && !http.some((r) => r.contender === c.name))
      Object.assign(c, { status: 'skipped', reason: startFailures.get(c.name) ?? 'no scenario selected for it' });
  }

  // The WebSocket echo scenario in full runs (its own servers and raw-socket load generator).
  const websocket =
    opts.scenarios === null && !opts.quick
      ? await runWsEcho({ durationS: Math.min(durationS, 5), rounds: Math.min(rounds, 3), connections: 50, inflight: WS_INFLIGHT })
      : undefined;

  const report: BenchReport = {
    machine,
    settings: {
      mode: opts.quick ? 'quick' : 'full',
      loadGenerator: gen.name + (gen.inProcess ? ' (in-process)' : ''),
      rounds,
      durationS,
      warmupS,
      connections: 50,
      pipelineDepth: 16,
      pinning,
      backgroundCpuPct,
    },
    contenders: [...infos.values()],
    skipped,
    micro,
    http,
    targets: computeTargets(http, micro),
    websocket,
    elapsedS: elapsed(),
  };
  printTable(report);
  const command = argv.length === 0 ? 'npm run bench' : argv.join(' ') === '--quick' ? 'npm run bench:quick' : `node dist/bench/run.js ${argv.join(' ')}`;
  const results = join(root, 'bench', 'results');
  writeJson(join(results, 'latest.json'), report);
  writeFileSync(join(results, 'rps.svg'), renderChart(report));
  writeMarkdown(join(root, 'bench', 'RESULTS.md'), report, command);
  console.log(
    `\nwrote ${['bench/results/latest.json', 'bench/results/rps.svg', 'bench/RESULTS.md'].join(', ')} in ${relative(process.cwd(), root) || '.'} (${elapsed().toFixed(0)} s)`,
  );
}

main()
  .then(async () => {
    await stopAll();
    process.exit(0);
  })
  .catch(async (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    await stopAll();
    process.exit(1);
  });
