// Report writing: the terminal table, bench/results/latest.json, bench/RESULTS.md, and the targets.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchReport, Figures, MicroResult, ScenarioResult, TargetStatus } from './types.js';
import { WS_INFLIGHT, wsReport } from './http/ws-echo.js';

const num = (n: number | null, digits = 0): string =>
  n === null || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (n: number | null): string => (n === null ? '–' : `${n.toFixed(2)}×`);

function find(http: ScenarioResult[], contender: string, scenario: string): Figures | null {
  return http.find((r) => r.contender === contender && r.scenario === scenario)?.median ?? null;
}

export function median(values: number[]): number {
  const v = [...values].sort((x, y) => x - y);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/**
 * a/b of one figure, paired by round (the two were measured seconds apart) and the median
 * taken over rounds: the host's speed drifts over minutes, so a ratio of two medians can
 * compare a fast minute with a slow one. Falls back to the ratio of medians when no
 * round has both.
 */
export function pairedRatio(a: Figures[], b: Figures[], pick: (f: Figures) => number | null): number | null {
  const ratios: number[] = [];
  for (const fa of a) {
    const fb = b.find((x) => x.round !== undefined && x.round === fa.round);
    const va = pick(fa);
    const vb = fb === undefined ? null : pick(fb);
    if (va !== null && vb !== null && va > 0 && vb > 0) ratios.push(va / vb);
  }
  if (ratios.length > 0) return median(ratios);
  const va = a.map(pick).filter((x): x is number => x !== null && x > 0);
  const vb = b.map(pick).filter((x): x is number => x !== null && x > 0);
  return va.length === 0 || vb.length === 0 ? null : median(va) / median(vb);
}

const rps = (f: Figures): number => f.rps;
const cpuEfficiency = (f: Figures): number | null => (f.cpuUsPerReq === null || f.cpuUsPerReq <= 0 ? null : 1 / f.cpuUsPerReq);

/** This result's ratios to node:http's in the same scenario (req/s, and CPU efficiency). */
export function ratiosTo(r: ScenarioResult, base: ScenarioResult): { rps: number | null; cpu: number | null } {
  return { rps: pairedRatio(r.rounds, base.rounds, rps), cpu: pairedRatio(r.rounds, base.rounds, cpuEfficiency) };
}

/** Where each of the project's performance targets stands in this run. */
export function computeTargets(http: ScenarioResult[], micro: MicroResult[] | null): TargetStatus[] {
  const out: TargetStatus[] = [];
  /** a/b in one scenario, paired by round: by req/s (CPU shown too), or by CPU time per request. */
  const pairTarget = (target: string, a: string, b: string, scenario: string, min: number, by: 'rps' | 'cpu'): void => {
    const ra = http.find((r) => r.contender === a && r.scenario === scenario);
    const rb = http.find((r) => r.contender === b && r.scenario === scenario);
    const r = ra === undefined || rb === undefined ? null : pairedRatio(ra.rounds, rb.rounds, by === 'rps' ? rps : cpuEfficiency);
    if (ra === undefined || rb === undefined || r === null) {
      out.push({ target, measured: `${ra === undefined ? a : b} has no ${scenario} figure in this run`, status: 'not measured' });
      return;
    }
    if (by === 'cpu') {
      const us = (f: Figures): string => (f.cpuUsPerReq === null ? '–' : `${f.cpuUsPerReq.toFixed(2)}`);
      const each = ra.rounds.length > 1 ? `, per round ${ra.rounds.map((f) => pairedRatio([f], rb.rounds, cpuEfficiency)?.toFixed(2) ?? '–').join(' / ')}` : '';
      const rpsR = pairedRatio(ra.rounds, rb.rounds, rps);
      out.push({
        target,
        measured: `${r.toFixed(2)}× (medians ${us(ra.median)} vs ${us(rb.median)} µs CPU per request${each}${rpsR === null ? '' : `; ${rpsR.toFixed(2)}× by req/s`})`,
        status: r >= min ? 'met' : 'not met',
      });
      return;
    }
    const cpuR = pairedRatio(ra.rounds, rb.rounds, cpuEfficiency);
    const cpu = cpuR === null ? '' : `; ${cpuR.toFixed(2)}× by CPU time per request`;
    const each =
      ra.rounds.length > 1
        ? `, per round ${ra.rounds
            .map((f) => {
              const g = rb.rounds.find((x) => x.round === f.round);
              return g === undefined || g.rps === 0 ? '–' : (f.rps / g.rps).toFixed(2);
            })
            .join(' / ')}`
        : '';
    out.push({ target, measured: `${r.toFixed(2)}× (medians ${num(ra.median.rps)} vs ${num(rb.median.rps)} req/s${each}${cpu})`, status: r >= min ? 'met' : 'not met' });
  };
  // Issue 13's: the realistic app (the headline), and what middleware costs.
  pairTarget('Realistic app ≥ 6× node:http by CPU time per request, 16-deep pipelining', 'realistic-fasterapi', 'realistic-node-http', 'realistic-pipeline', 6, 'cpu');
  // Not a target of its own: no app on fasterapi can do better than the transport alone on the same request.
  pairTarget(
    'Ceiling of the row above: the transport alone (no app layer) on the realistic request ≥ 6× the node:http app',
    'realistic-transport',
    'realistic-node-http',
    'realistic-pipeline',
    6,
    'cpu',
  );
  // Nor this: what V8 charges for the app's own code (its async middlewares, send wrapper and ASGI messages) on top of the ceiling.
  pairTarget(
    'Floor of the app row: the transport + the app’s own JS (host compare, 2 async middlewares, a send wrapper, ASGI’s 2 messages), no app layer, ≥ 6× the node:http app',
    'realistic-floor',
    'realistic-node-http',
    'realistic-pipeline',
    6,
    'cpu',
  );
  pairTarget(
    'Hello behind TrustedHost + one async middleware ≥ 0.90× the bare hello route by CPU time per request, 16-deep pipelining',
    'fasterapi-hello-mw',
    'fasterapi-hello',
    'pipeline-hello',
    0.9,
    'cpu',
  );
  microDelta(out, micro, 'One async pass-through middleware ≤ 0.1 µs per request (micro)', 'mw: hello app + 1 async pass-through', 100);
  microDelta(out, micro, 'TrustedHostMiddleware ≤ 0.05 µs per request (micro)', 'mw: hello app + TrustedHostMiddleware', 50);
  const rpsRatio = (target: string, a: string, b: string, scenario: string, min: number): void => pairTarget(target, a, b, scenario, min, 'rps');
  rpsRatio('Keep-alive hello ≥ 2.0× node:http', 'fasterapi', 'node-http', 'keepalive-hello', 2.0);
  rpsRatio('Keep-alive hello ≥ 2.2× fastify', 'fasterapi', 'fastify', 'keepalive-hello', 2.2);
  rpsRatio('Keep-alive hello within 5% of nginx (≥ 0.95×)', 'fasterapi', 'nginx', 'keepalive-hello', 0.95);
  rpsRatio('16-deep pipelining ≥ 8× node:http', 'fasterapi', 'node-http', 'pipeline-hello', 8);
  rpsRatio('App layer (trust + 2 middlewares + router) ≥ 90% of bare transport, keep-alive hello', 'fasterapi-app', 'fasterapi', 'keepalive-hello', 0.9);
  for (const [fw, ours, theirs] of [
    ['Hono', 'hono-fasterapi', 'hono-node'],
    ['Elysia', 'elysia-fasterapi', 'elysia-node'],
    ['h3', 'h3-fasterapi', 'h3-srvx'],
    ['itty-router', 'itty-fasterapi', 'itty-node'],
  ] as const) {
    rpsRatio(`${fw} on fasterapi (CLI) ≥ 2× its own Node server, /json`, ours, theirs, 'keepalive-json', 2);
    rpsRatio(`${fw} on fasterapi (CLI) ≥ 2× its own Node server, /users/42`, ours, theirs, 'keepalive-param', 2);
  }
  // Issue 16's: frameworks written for node:http, on fasterapi/node against node:http.
  for (const [fw, ours, theirs] of [
    ['Express', 'express-fasterapi', 'express-node'],
    ['Fastify', 'fastify-fasterapi', 'fastify'],
    ['Koa', 'koa-fasterapi', 'koa-node'],
  ] as const) {
    rpsRatio(`${fw} on fasterapi/node ≥ 1.5× on node:http, keep-alive /json`, ours, theirs, 'keepalive-json', 1.5);
    layerBound(out, http, fw, ours, theirs, 'keepalive-json', 1.5);
    rpsRatio(`${fw} on fasterapi/node ≥ 1.5× on node:http, 16-deep pipelined /json`, ours, theirs, 'pipeline-json', 1.5);
  }
  const p99 = find(http, 'fasterapi', 'scale-c100');
  const p99Base = find(http, 'node-http', 'scale-c100');
  const p99Target = 'p99 latency at 100 connections below node:http’s';
  if (p99?.p99Ms == null || p99Base?.p99Ms == null) {
    out.push({ target: p99Target, measured: 'fasterapi or node:http has no scale-c100 p99 in this run', status: 'not measured' });
  } else {
    out.push({ target: p99Target, measured: `${p99.p99Ms.toFixed(2)} ms vs ${p99Base.p99Ms.toFixed(2)} ms`, status: p99.p99Ms < p99Base.p99Ms ? 'met' : 'not met' });
  }
  const staticRows = (micro ?? []).filter((m) => /static/i.test(m.name) && m.bytesPerOp !== null);
  const allocTarget = '0 bytes allocated per request on the static path';
  if (staticRows.length === 0) {
    out.push({ target: allocTarget, measured: micro === null ? 'micro part did not run' : 'no micro row named "static" with bytes/op', status: 'not measured' });
  } else {
    const worst = Math.max(...staticRows.map((m) => m.bytesPerOp!));
    out.push({ target: allocTarget, measured: staticRows.map((m) => `${m.name}: ${num(m.bytesPerOp, 1)} B/op`).join('; '), status: worst <= 0 ? 'met' : 'not met' });
  }
  return out;
}

/**
 * Not a measurement: the best `fw` on fasterapi/node could do in `scenario` if the layer cost
 * nothing beyond node:http's own request objects. Per round, by CPU time per request: the
 * node-floor row (the transport + IncomingMessage and the response's events) plus the
 * framework's own cost, the lesser of its two measures (`fw` on node:http minus node:http's
 * plain listener, `fw` on the layer minus the same listener on the layer), against `fw` on
 * node:http. Below `min`, the target above it is out of reach for any node:http-compatible
 * layer on this transport in this run.
 */
function layerBound(out: TargetStatus[], http: ScenarioResult[], fw: string, ours: string, theirs: string, scenario: string, min: number): void {
  const target = `Bound of the row above: a layer costing nothing beyond IncomingMessage and the response’s events (node-floor + ${fw}’s own CPU) ≥ ${min}×`;
  const names = ['node-floor', theirs, 'node-http', ours, 'node-fasterapi'];
  const rows = names.map((name) => http.find((r) => r.contender === name && r.scenario === scenario));
  if (rows.some((r) => r === undefined)) {
    out.push({ target, measured: `one of ${names.join(', ')} has no ${scenario} figure in this run`, status: 'not measured' });
    return;
  }
  const [floor, fwNode, plainNode, fwOurs, plainOurs] = rows as ScenarioResult[];
  const ratios: number[] = [];
  for (const f of floor!.rounds) {
    const at = (r: ScenarioResult): number | null => r.rounds.find((x) => x.round === f.round)?.cpuUsPerReq ?? null;
    const [a, b, c, d] = [at(fwNode!), at(plainNode!), at(fwOurs!), at(plainOurs!)];
    if (f.cpuUsPerReq === null || a === null || b === null || c === null || d === null) continue;
    const best = f.cpuUsPerReq + Math.max(0, Math.min(a - b, c - d));
    if (best > 0) ratios.push(a / best);
  }
  if (ratios.length === 0) {
    out.push({ target, measured: `no round has all five CPU figures in ${scenario}`, status: 'not measured' });
    return;
  }
  const r = median(ratios);
  out.push({ target, measured: `${r.toFixed(2)}× (per round ${ratios.map((x) => x.toFixed(2)).join(' / ')})`, status: r >= min ? 'met' : 'not met' });
}

/**
 * A middleware's cost in the micro part: its mw: row minus the bare hello app's (same
 * batch, same drain), against `maxNs`. Timing differences this small are noisy on a
 * shared host: bench/micro/icount.sh gives the instruction counts.
 */
function microDelta(out: TargetStatus[], micro: MicroResult[] | null, target: string, prefix: string, maxNs: number): void {
  const row = micro?.find((m) => m.name.startsWith(prefix));
  const bare = micro?.find((m) => m.name.startsWith('mw: hello app, no middleware'));
  if (row === undefined || bare === undefined || row.nsPerOp <= 0 || bare.nsPerOp <= 0) {
    out.push({ target, measured: micro === null ? 'micro part did not run' : `no "${prefix}" and bare hello rows`, status: 'not measured' });
    return;
  }
  const d = row.nsPerOp - bare.nsPerOp;
  const measured = `${d.toFixed(0)} ns (${row.nsPerOp.toFixed(0)} − ${bare.nsPerOp.toFixed(0)} ns per request, medians)`;
  // A row faster than the bare app it adds work to: the run's noise is larger than the effect.
  if (d < 0) {
    out.push({ target, measured: `${measured}: less than the bare app, so noise exceeds the effect in this run`, status: 'not measured' });
    return;
  }
  out.push({ target, measured, status: d <= maxNs ? 'met' : 'not met' });
}

function suspect(f: Figures): string {
  const flags: string[] = [];
  if (f.otherCpuPct !== null && f.otherCpuPct > 15) flags.push(`machine busy: other processes used ${f.otherCpuPct.toFixed(0)}% CPU`);
  if (f.loadgenCpuPct !== null && f.loadgenCpuPct >= 95) {
    flags.push(f.serverCpuPct !== null && f.serverCpuPct < 90 ? 'load generator bound' : 'load generator saturated too: figure may be capped');
  }
  if (f.errors > 0) flags.push(`${f.errors} socket errors`);
  if (f.non2xx > 0) flags.push(`${f.non2xx} non-2xx`);
  return flags.join(', ');
}

const COLUMNS = ['server', 'req/s', '× node:http', 'CPU µs/req', '× node:http by CPU', 'server CPU %', 'loadgen CPU %', 'other CPU %', 'peak RSS MiB', 'p50 ms', 'p99 ms', 'notes'];

function rowsOf(report: BenchReport, r: ScenarioResult): string[] {
  const label = report.contenders.find((c) => c.name === r.contender)?.label ?? r.contender;
  const f = r.median;
  return [
    label,
    num(f.rps),
    ratio(r.ratioToNodeHttp),
    num(f.cpuUsPerReq, 2),
    ratio(r.cpuRatioToNodeHttp),
    num(f.serverCpuPct),
    num(f.loadgenCpuPct),
    num(f.otherCpuPct),
    num(f.peakRssMiB, 1),
    num(f.p50Ms, 2),
    num(f.p99Ms, 2),
    [r.note, suspect(f)].filter(Boolean).join('; '),
  ];
}

const isRealistic = (scenario: string): boolean => scenario.startsWith('realistic-');

const REALISTIC_TEXT = [
  'The same small app written for each server, idiomatically: a browser’s request (15 header lines, cookies) for `GET /users/7` on `app.example.com`, arriving through two proxies (`X-Forwarded-For: 203.0.113.7, 10.0.0.2`, `X-Forwarded-Proto: https`, the socket peer 127.0.0.1 being the second proxy). Each app trusts loopback and 10.0.0.0/8, checks the Host, runs two async middlewares (one passing the request on, one adding `x-request-id`) and answers `{"id":"7","name":"user 7","client":"203.0.113.7","scheme":"https"}` as `application/json`. The answer check before timing compares status, body, media type and the `x-request-id` header.',
  '',
  "- fasterapi: `Faster` with `trustedProxies`, `TrustedHostMiddleware`, two `async` `BaseHTTPMiddleware`s (the second wraps `send` and adds the header to `http.response.start`), `app.get('/users/:id')` returning an object (`bench/http/servers/realistic-app.ts`).",
  '- node:http: routing by hand, `X-Forwarded-For` walked from the right past trusted addresses, the scheme from `X-Forwarded-Proto` when the peer is trusted, a Host compare, `res.setHeader`.',
  '- fastify 5: `trustProxy` with the proxies’ addresses (`request.ip`, `request.protocol`), the host check and a pass-through as async `onRequest` hooks, the header from an async `onSend` hook.',
  '- Express 5: `trust proxy` with the proxies’ addresses (`req.ip`, `req.protocol`), a host-check middleware and two async middlewares (`res.set`), `res.json`; ETag and X-Powered-By off, as no other contender computes or sends them.',
].join('\n');

const scenarios = (report: BenchReport): string[] => [...new Set(report.http.map((r) => r.scenario))];
const sorted = (report: BenchReport, s: string): ScenarioResult[] => report.http.filter((r) => r.scenario === s).sort((a, b) => b.median.rps - a.median.rps);

export function printTable(report: BenchReport): void {
  if (report.micro !== null && report.micro.length > 0) {
    console.log('\nmicro-benchmarks');
    const rows = report.micro.map((m) => [m.name, num(m.opsPerSec), num(m.nsPerOp, 1), num(m.bytesPerOp, 1)]);
    printAligned([['name', 'ops/s', 'ns/op', 'bytes/op'], ...rows]);
  }
  for (const s of scenarios(report)) {
    const list = sorted(report, s);
    console.log(`\n${s}: ${list[0]!.title}`);
    printAligned([COLUMNS, ...list.map((r) => rowsOf(report, r))]);
  }
  if (report.targets.length > 0) {
    console.log('\ntargets');
    printAligned([['target', 'measured', 'status'], ...report.targets.map((t) => [t.target, t.measured, t.status])]);
  }
}

function printAligned(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const [n, r] of rows.entries()) {
    console.log(
      `  ${r
        .map((cell, i) => (i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd()}`,
    );
    if (n === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  }
}

function mdTable(rows: string[][]): string {
  const [head, ...body] = rows;
  const line = (r: string[]): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  // Right-align the columns that hold figures only.
  const numeric = head!.map((_, i) => i > 0 && body.some((r) => (r[i] ?? '') !== '') && body.every((r) => /^[\d,.\s×%–-]*$/.test(r[i] ?? '')));
  return [line(head!), `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`, ...body.map(line)].join('\n');
}

export function writeJson(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

export function renderMarkdown(report: BenchReport, command: string): string {
  const m = report.machine;
  const s = report.settings;
  const out: string[] = [];
  out.push('# Benchmark results', '');
  out.push(`Generated by \`${command}\` on ${m.date} — do not edit by hand; rerun \`npm run bench\` (full) or \`npm run bench:quick\`.`, '');
  out.push('The figures that matter are the ratios measured in one run: absolute numbers move from machine to machine.', '');
  const headline = scenarios(report).filter(isRealistic);
  if (headline.length > 0) {
    out.push('## Headline: a realistic app', '');
    out.push(REALISTIC_TEXT, '');
    for (const sc of headline) {
      const list = sorted(report, sc);
      out.push(`### ${sc}: ${list[0]!.title}`, '');
      out.push(mdTable([COLUMNS, ...list.map((r) => rowsOf(report, r))]), '');
    }
  }
  out.push('## Machine and settings', '');
  out.push(
    mdTable([
      ['', 'this run'],
      ['CPU', `${m.cpuModel} (${m.cores} cores usable)`],
      ['Memory', `${m.memoryGiB.toFixed(1)} GiB`],
      ['Node.js', m.node],
      ['Kernel', `${m.platform} ${m.kernel}`],
      ['Mode', `${s.mode}: ${s.rounds} round(s), ${s.durationS} s per scenario, ${s.warmupS} s warm-up per server start, medians of rounds, ratios paired by round`],
      ['Load generator', s.loadGenerator],
      ['Pinning', s.pinning],
      [
        'Other load',
        s.backgroundCpuPct === null
          ? 'unknown'
          : `${s.backgroundCpuPct.toFixed(0)}% of a core used by other processes before the run${s.backgroundCpuPct > 15 ? ' (busy machine: figures are noisy)' : ''}`,
      ],
      ['Elapsed', `${report.elapsedS.toFixed(0)} s`],
    ]),
    '',
  );
  const ran = report.contenders.filter((c) => c.status === 'ran').map((c) => c.label);
  out.push(`Servers measured: ${ran.join(', ') || 'none'}.`, '');
  const notRun = report.contenders.filter((c) => c.status !== 'ran');
  if (notRun.length > 0 || report.skipped.length > 0) {
    out.push('Skipped:', '');
    for (const c of notRun) out.push(`- ${c.label}: ${c.status} — ${c.reason ?? ''}`);
    for (const k of report.skipped) out.push(`- ${k.what}: ${k.why}`);
    out.push('');
  }
  out.push('## Targets', '');
  out.push(
    mdTable([
      ['target', 'measured', 'status'],
      ...report.targets.map((t) => [t.target, t.measured, t.status === 'met' ? '✅ met' : t.status === 'not met' ? '❌ not met' : '— not measured']),
    ]),
    '',
  );
  out.push('## HTTP load', '');
  out.push('![req/s per server](results/rps.svg)', '');
  out.push(
    'Columns: median req/s over rounds; ratio to node:http in the same scenario of the same run; server CPU time (user + system, all its processes) per completed request, and node:http’s divided by it (an efficiency ratio that does not depend on the load generator, and less on other load on the machine); server, load-generator and other processes’ CPU utilisation (% of one core: the server should be the one near 100%, other processes near 0); server peak RSS (VmHWM, since the server started, so later scenarios include earlier peaks); latency percentiles from the load generator (none for pipelining with wrk: its histogram counts 16-request batches, not requests, and its percentiles come out wrong).',
    '',
  );
  for (const sc of scenarios(report).filter((x) => !isRealistic(x))) {
    const list = sorted(report, sc);
    out.push(`### ${sc}: ${list[0]!.title}`, '');
    out.push(mdTable([COLUMNS, ...list.map((r) => rowsOf(report, r))]), '');
  }
  if (report.websocket !== undefined) {
    out.push('## WebSocket echo', '');
    out.push(
      `50 connections, ${WS_INFLIGHT} messages of 32 bytes in flight on each (bench/http/ws-echo.ts, a raw-socket load generator on the other core); the server's CPU per message is user + system time over the messages echoed. The issue 15 target is the ASGI interface at 1.5× \`ws\` on node:http.`,
      '',
      wsReport(report.websocket),
      '',
    );
  }
  if (report.micro !== null) {
    out.push('## Micro-benchmarks', '');
    out.push(
      report.micro.length === 0
        ? 'No rows.'
        : mdTable([['name', 'ops/s', 'ns/op', 'bytes/op'], ...report.micro.map((r) => [r.name, num(r.opsPerSec), num(r.nsPerOp, 1), num(r.bytesPerOp, 1)])]),
      '',
    );
  }
  out.push('## Method', '');
  out.push(
    [
      '- Every server answers `GET /` (text "Hello, World!"), `GET /json` (`{"message":"Hello, World!"}`, serialised per request) and `GET /ip` (client address behind a proxy: `X-Forwarded-For: 203.0.113.7, 10.0.0.2`, `X-Forwarded-Proto: https`, `X-Forwarded-Host: example.com` from 127.0.0.1). Answers (status + body) are checked before timing; a server answering a route differently is left out of that route’s scenarios (dropped when no route matches).',
      '- The realistic app (the headline, described above) is a contender of its own per framework (`realistic-*`), timed on `GET /users/7` only; its ratios are to the node:http version of the same app.',
      '- `fasterapi-hello` and `fasterapi-hello-mw`: the hello route on `Faster`, bare and behind `TrustedHostMiddleware` + one `async` pass-through middleware (`bench/http/servers/hello-app.ts`), timed on `keepalive-hello` and `pipeline-hello` only: what the middlewares cost, as a ratio of the two.',
      '- node:http parses `X-Forwarded-For` by hand, fastify uses `trustProxy: true` and `request.ip`, Hono reads the header, nginx takes the first entry with a `map`, fasterapi uses its trust stage (`scope.client`).',
      '- nginx: one worker, `return 200`, `access_log off`, `keepalive_requests` raised so that connections are not recycled every 1000 requests (the Node servers never recycle them).',
      '- Load generator: wrk pinned to cores of its own, one thread per core (one core on a 2-core machine; `--latency`; pipelining through a Lua script writing 16 requests at once), or autocannon in-process when wrk is missing. When its CPU column nears 100% the figure is capped by the load generator, not the server.',
      '- Each round starts every server fresh (all pinned to the server core, idle until their turn) and warms each up; then every scenario runs on each server back to back, so the two figures of a ratio are taken seconds apart. The order of servers alternates between rounds. Tables show medians over rounds; ratios are taken per round and their median is reported (this shared host’s speed drifts over minutes, so a ratio of two medians can compare a fast minute with a slow one).',
      '- Scale: the same hello route at 10, 100 and 1000 keep-alive connections. Workers: fasterapi under `node:cluster` with 1 and 2 workers (needs 3 cores to keep the load generator on its own core).',
    ].join('\n'),
    '',
  );
  return out.join('\n');
}

export function writeMarkdown(path: string, report: BenchReport, command: string): void {
  writeFileSync(path, renderMarkdown(report, command));
}
