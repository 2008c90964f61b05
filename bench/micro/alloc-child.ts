// Allocation per request, measured in a child process started by alloc.ts:
//   node --expose-gc --min-semi-space-size=N --max-semi-space-size=N alloc-child.js [--quick]
// For each case: warm up (so the optimising compiler has run), one full gc(), warm up
// again; then per batch a scavenge, process.memoryUsage(), a large batch, memoryUsage()
// again. With no GC inside the batch nothing was freed, so the growth of heapUsed is
// exactly what the batch allocated on the V8 heap, and the growth of arrayBuffers what
// it allocated outside it (Buffer backing stores). A PerformanceObserver on 'gc' entries
// proves no GC ran in the batch; a batch that saw one is discarded and retried smaller,
// never reported. Batches are repeated until two in a row agree within 0.05 B/request.
// Prints one JSON line ({ rows: AllocRow[] }) on stdout.
// FASTERAPI_ALLOC_DEBUG=1 prints every batch and the growth of each heap space on stderr.
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';
import { buildCases, type MicroCase } from './cases.js';

export interface AllocRow {
  name: string;
  /** Requests in the batch the figures come from. */
  requests: number;
  /** V8 heap bytes per request (min over the clean batches); null when unreliable. */
  heapBytes: number | null;
  /** Bytes per request outside the V8 heap (ArrayBuffer backing stores); null when unreliable. */
  externalBytes: number | null;
  /** Clean batches measured (no GC inside), out of `attempts`. */
  clean: number;
  attempts: number;
  note?: string;
}

const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
if (gc === undefined) {
  console.error('alloc-child: run with --expose-gc');
  process.exit(2);
}
const quick = process.argv.includes('--quick');
/** Requests per measured batch (before the new-space cap below). */
const TARGET = quick ? 20_000 : 150_000;
/** Warm-up per case, requests and milliseconds (both): until the optimising compiler is done with it. */
const WARMUP = quick ? 10_000 : 60_000;
const WARMUP_MS = quick ? 100 : 500;
/** Clean batches per case at least; the minimum is reported (code compiled mid-batch only adds). */
const BATCHES = 2;
/** More batches are run while the last two differ by more than this (B/request)... */
const SETTLED = 0.05;
/** ...up to this many attempts in all. */
const MAX_ATTEMPTS = 8;
const DEBUG = process.env.FASTERAPI_ALLOC_DEBUG === '1';
/** New-space room a batch may use: a fraction of one semi-space, so a scavenge is not due. */
const SEMI_SPACE = semiSpaceBytes();

const gcEntries: PerformanceEntry[] = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcEntries.push(e);
});
observer.observe({ entryTypes: ['gc'] });

const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));
/**
 * Lets the observer receive the entries of GCs that already happened: Node delivers
 * them on the second check phase (Node 20; main() checks this works before measuring).
 */
async function settle(): Promise<void> {
  await immediate();
  await immediate();
  await immediate();
}

function semiSpaceBytes(): number {
  for (const a of process.execArgv) {
    const m = /^--(?:max|min)-semi-space-size=(\d+)$/.exec(a);
    if (m !== null) return Number(m[1]) * 2 ** 20;
  }
  return 8 * 2 ** 20;
}

function spaces(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sp of v8.getHeapSpaceStatistics()) out[sp.space_name] = sp.space_used_size;
  return out;
}

/** Sync ops back to back; an async op (an app answering after an await) awaited each time. */
async function runOps(c: MicroCase, ops: number): Promise<void> {
  for (let i = 0; i < ops; i++) {
    const done = c.op();
    if (done !== undefined) await done;
  }
}

interface Batch {
  heap: number;
  external: number;
  gcs: number;
}

/** One batch of `ops` ops between two heap readings; gcs = GC entries that overlap it. */
async function batch(c: MicroCase, ops: number): Promise<Batch> {
  // A scavenge empties new space. Not a full GC: that also clears maps no live object
  // holds (the Request class's, between batches nothing is in flight), which
  // deoptimises the code embedding them, and the recompilation would land in the batch.
  const seenBefore = gcEntries.length;
  gc!({ type: 'minor' });
  // Backing stores of the ArrayBuffers it found dead are freed by a background sweeper:
  // let it finish, or the frees would be subtracted from the batch's external bytes.
  await new Promise((r) => setTimeout(r, 5));
  const s0 = DEBUG ? spaces() : null;
  // The GC window [t0, t1] encloses both readings.
  const t0 = performance.now();
  const m0 = process.memoryUsage();
  await runOps(c, ops);
  const m1 = process.memoryUsage();
  const t1 = performance.now();
  if (DEBUG) {
    const s1 = spaces();
    console.error(
      '  spaces:',
      Object.entries(s1)
        .map(([k, v]) => `${k}=${v - s0![k]!}`)
        .filter((x) => !x.endsWith('=0'))
        .join(' '),
    );
  }
  await settle();
  let gcs = 0;
  for (let i = seenBefore; i < gcEntries.length; i++) {
    const e = gcEntries[i]!;
    if (e.startTime <= t1 && e.startTime + e.duration >= t0) gcs++;
  }
  return { heap: m1.heapUsed - m0.heapUsed, external: m1.arrayBuffers - m0.arrayBuffers, gcs };
}

async function measure(c: MicroCase): Promise<AllocRow> {
  const warmOps = Math.ceil(WARMUP / c.perOp);
  const tw = performance.now();
  do await runOps(c, warmOps);
  while (performance.now() - tw < WARMUP_MS);
  // One full GC now, then warm up again: the code it deoptimised is compiled before measuring.
  gc!();
  const tr = performance.now();
  do await runOps(c, warmOps);
  while (performance.now() - tr < WARMUP_MS / 2);
  // A small probe sizes the batch so that it fits in new space with room to spare.
  const probeOps = Math.ceil(2000 / c.perOp);
  const probe = await batch(c, probeOps);
  const perReq = Math.max(probe.heap, 0) / (probeOps * c.perOp);
  let ops = Math.ceil(TARGET / c.perOp);
  if (perReq > 0) ops = Math.max(1, Math.min(ops, Math.floor((SEMI_SPACE * 0.4) / perReq / c.perOp)));
  const clean: number[] = [];
  let external = 0;
  let attempts = 0;
  let requests = 0;
  const settled = (): boolean => clean.length >= BATCHES && Math.abs(clean.at(-1)! - clean.at(-2)!) <= SETTLED;
  while (!settled() && attempts < MAX_ATTEMPTS) {
    attempts++;
    const b = await batch(c, ops);
    if (b.gcs > 0) {
      ops = Math.max(1, Math.floor(ops / 4)); // a GC ran inside: discard, retry smaller
      continue;
    }
    const n = ops * c.perOp;
    if (clean.length === 0 || b.heap / n < Math.min(...clean)) requests = n; // the batch the minimum comes from
    clean.push(b.heap / n);
    // Outside the heap nothing is freed without a GC, but a late sweep can lower a batch's figure: the largest counts.
    external = Math.max(external, b.external / n);
    if (DEBUG) console.error(`${c.name}: ${(b.heap / n).toFixed(3)} B/req heap, ${(b.external / n).toFixed(3)} external over ${n}`);
  }
  if (clean.length === 0) {
    return { name: c.name, requests: 0, heapBytes: null, externalBytes: null, clean: 0, attempts, note: `unreliable: a GC ran inside every one of ${attempts} batches` };
  }
  const heap = Math.min(...clean);
  const row: AllocRow = { name: c.name, requests, heapBytes: Math.max(0, heap), externalBytes: Math.max(0, external), clean: clean.length, attempts };
  const notes: string[] = [];
  if (!settled()) notes.push(`unsettled: clean batches gave ${clean.map((x) => x.toFixed(1)).join(', ')} B/request (minimum reported)`);
  if (requests < 10_000) notes.push(`batch of only ${requests} requests (allocates ~${Math.round(perReq)} B/request)`);
  if (notes.length > 0) row.note = notes.join('; ');
  return row;
}

async function main(): Promise<void> {
  // The observer must be seen to work: the forced collections have to show up.
  gc!();
  await settle();
  if (gcEntries.length === 0) {
    console.log(JSON.stringify({ error: "PerformanceObserver reported no 'gc' entry for a forced gc(): cannot prove batches are GC-free" }));
    return;
  }
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const cases = buildCases().filter((c) => only === undefined || c.name.includes(only));
  // Every case runs (and is checked) before any is measured, so that the code they share
  // has seen all of them, as in a server serving them all: what the compiler inlines, and
  // so what escape analysis removes, does not depend on the order of the cases.
  for (const c of cases) await c.verify();
  for (const c of cases) await runOps(c, Math.ceil(WARMUP / c.perOp));
  const rows: AllocRow[] = [];
  for (const c of cases) rows.push(await measure(c));
  // An empty op: the floor of the method (memoryUsage() itself, the loop).
  rows.push(await measure({ name: '(empty op: measurement floor)', perOp: 1, op() {}, verify() {} }));
  observer.disconnect();
  console.log(JSON.stringify({ rows }));
}

await main();
