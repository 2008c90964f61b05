// Which garbage collector a server process runs with. V8 scavenges the young generation
// with helper threads by default; a server process pinned to one CPU (a container with
// one CPU, taskset, or as many workers as CPUs) has no CPU for them, so each scavenge
// waits for helpers that share the core with it. Measured (docs/design.md, "Garbage
// collection"): 16-deep pipelined hello behind two middlewares on one pinned core, GC
// pauses 2.2 µs per request by default against 0.2 µs single-threaded.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

const FLAG = '--single-threaded-gc';

/** Whether `processes` server processes should each collect garbage single-threaded. */
export function singleThreadedGc(setting: boolean | undefined, processes: number): boolean {
  return setting ?? processes >= availableParallelism();
}

/** Node flags for a worker process (cluster execArgv). */
export function gcExecArgv(single: boolean): string[] {
  return single && !process.execArgv.includes(FLAG) ? [FLAG] : [];
}

/**
 * Applies the choice to this process, before the app loads. Only the young generation's
 * setting may change once V8 runs: --single-threaded-gc set at run time crashed V8 in an
 * incremental marking that had started with helpers (seen here, Node 20), while
 * --no-parallel-scavenge is read afresh at every scavenge. Workers get the whole flag on
 * their command line (gcExecArgv).
 */
export function applyGc(single: boolean): void {
  if (single && !process.execArgv.includes(FLAG)) setFlagsFromString('--no-parallel-scavenge');
}
