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
  /** Relative margin of error of the timing, %. */
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

/** Per-task budgets (ms). Quick: about 6 s of timing and 5 s of allocation for 16 cases. */
const TIMES = { quick: { time: 250, warmupTime: 100 }, full: { time: 1500, warmupTime: 300 } } as const;

export async function runMicro(opts: MicroOptions): Promise<MicroRow[]> {
  const t0 = performance.now();
  const cases = buildCases().filter((c) => opts.only === undefined || c.name.includes(opts.only));
  // Every case answers correctly before anything is timed.
  for (const c of cases) await c.verify();
  const budget = opts.quick ? TIMES.quick : TIMES.full;
  const bench = new Bench({ name: 'fasterapi micro', ...budget, throws: true });
  for (const c of cases) bench.add(c.name, c.op);
  await bench.run();
  const tTiming = performance.now();

  const alloc = await measureAllocations({ quick: opts.quick, ...(opts.only !== undefined ? { only: opts.only } : {}) });
  const byName = new Map<string, AllocRow>(alloc.rows.map((r) => [r.name, r]));

  const rows: MicroRow[] = cases.map((c, i) => {
    const r = bench.tasks[i]!.result;
    let nsPerOp = 0;
    let rmePct: number | null = null;
    if (r.state === 'completed' || r.state === 'aborted-with-statistics') {
      // The median sample, per request: robust to the other processes of a shared machine.
      nsPerOp = (r.latency.p50 * 1e6) / c.perOp;
      rmePct = r.latency.rme;
    }
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
  console.log('\nmicro-benchmarks (per request; ns = median sample; bytes measured in a --expose-gc child, no GC inside the batch)');
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
