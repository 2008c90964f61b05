// Micro-benchmarks: time per request through the in-process pipeline and its stages
// (tinybench), and bytes allocated per request (a child process with --expose-gc).
// Called by bench/run.ts as runMicro({ quick }); runs on its own too:
//   node dist/bench/micro/run.js [--quick] [--only=substring]
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import type { MicroResult } from '../types.js';
import { measureAllocations, type AllocRow } from './alloc.js';
import { buildCases } from './cases.js';

/** One row: timing from tinybench, allocation from the child. */
export interface MicroRow extends MicroResult {
  /** V8 heap bytes per request; null when not measured or unreliable. */
  heapBytes: number | null;
  /** Bytes per request outside the V8 heap (Buffer backing stores). */
  externalBytes: number | null;
  /** Half the spread of the per-round medians, % of the row's figure (null with one round). */
  rmePct: number | null;
  note?: string;
}

export interface MicroOptions {
  quick: boolean;
  /** Only the cases whose name contains this. */
  only?: string;
  /** Print the detailed table (default true). */
  print?: boolean;
}

/**
 * Per-task budgets (ms) per round, and rounds. Every round times every case in turn, in
 * alternating order, and a row's figure is the median of its rounds' medians: timed once
 * each, in one order, the same row measured up to 2× apart depending on its position
 * (JIT and GC state left by the rows before it), which swamped the 0.1 µs differences
 * issue 13's middleware targets are about. Full: the same 1.8 s per case as one long run.
 */
const TIMES = { quick: { time: 250, warmupTime: 100, rounds: 1 }, full: { time: 300, warmupTime: 60, rounds: 5 } } as const;

export async function runMicro(opts: MicroOptions): Promise<MicroRow[]> {
  const t0 = performance.now();
  const cases = buildCases().filter((c) => opts.only === undefined || c.name.includes(opts.only));
  // Every case answers correctly before anything is timed.
  for (const c of cases) await c.verify();
  const { rounds, ...budget } = opts.quick ? TIMES.quick : TIMES.full;
  // ns per request of each case, one entry per round.
  const perRound: number[][] = cases.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ name: 'fasterapi micro', ...budget, throws: true });
    const order = cases.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) bench.add(String(i), cases[i]!.op);
    await bench.run();
    for (const task of bench.tasks) {
      const i = Number(task.name);
      const r = task.result;
      // The median sample, per request: robust to the other processes of a shared machine.
      if (r.state === 'completed' || r.state === 'aborted-with-statistics') perRound[i]!.push((r.latency.p50 * 1e6) / cases[i]!.perOp);
    }
  }
  const tTiming = performance.now();

  const alloc = await measureAllocations({ quick: opts.quick, ...(opts.only !== undefined ? { only: opts.only } : {}) });
  const byName = new Map<string, AllocRow>(alloc.rows.map((r) => [r.name, r]));

  const rows: MicroRow[] = cases.map((c, i) => {
    const ns = perRound[i]!.sort((a, b) => a - b);
    const nsPerOp = ns.length === 0 ? 0 : ns[ns.length >> 1]!;
    // Half the spread of the rounds' medians, relative: how far one round may sit from another.
    const rmePct = ns.length < 2 || nsPerOp === 0 ? null : ((ns[ns.length - 1]! - ns[0]!) / 2 / nsPerOp) * 100;
    const a = byName.get(c.name);
    const heap = a?.heapBytes ?? null;
    const external = a?.externalBytes ?? null;
    const notes = [a === undefined ? `allocation not measured${alloc.error !== null ? `: ${alloc.error}` : ''}` : a.note].filter(Boolean);
    return {
      name: c.name,
      opsPerSec: nsPerOp > 0 ? 1e9 / nsPerOp : 0,
      nsPerOp,
      bytesPerOp: heap === null || external === null ? null : heap + external,
      heapBytes: heap,
      externalBytes: external,
      rmePct,
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    };
  });
  if (opts.print !== false) {
    printRows(rows, alloc.rows.find((r) => r.name.startsWith('(empty op')) ?? null);
    console.log(`  (${opts.quick ? 'quick' : 'full'}: timing ${((tTiming - t0) / 1000).toFixed(1)} s, allocation ${((performance.now() - tTiming) / 1000).toFixed(1)} s)`);
  }
  return rows;
}

const fmt = (n: number | null, digits: number): string =>
  n === null || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printRows(rows: MicroRow[], floor: AllocRow | null): void {
  const table = [
    ['case', 'ops/s', 'ns/req', '±%', 'heap B/req', 'external B/req', 'note'],
    ...rows.map((r) => [r.name, fmt(r.opsPerSec, 0), fmt(r.nsPerOp, 1), fmt(r.rmePct, 1), fmt(r.heapBytes, 1), fmt(r.externalBytes, 1), r.note ?? '']),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  console.log(
    "\nmicro-benchmarks (per request; ns = median over rounds of the median sample, ± = half the rounds' spread; bytes measured in a --expose-gc child, no GC inside the batch)",
  );
  for (const [n, row] of table.entries()) {
    console.log(
      `  ${row
        .map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
        .trimEnd()}`,
    );
    if (n === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  }
  if (floor !== null) console.log(`  measurement floor (empty op): ${fmt(floor.heapBytes, 3)} heap B/op over ${floor.requests.toLocaleString('en-US')} ops`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const only = argv.find((a) => a.startsWith('--only='))?.slice(7);
  await runMicro({ quick: argv.includes('--quick'), ...(only !== undefined ? { only } : {}) });
}
