// Allocation measured as new-space bytes per call (v8.getHeapSpaceStatistics) over a
// short loop after warm-up, best of several runs, so a scavenge inside one run does
// not count and an empty measurement is subtracted.
import v8 from 'node:v8';
import { markSend } from '../../src/server/respond.js';
import type { EncodedHeaders, Send } from '../../src/types.js';

export function newSpaceUsed(): number {
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_used_size;
  return 0;
}

export interface AllocOptions {
  /** Calls per run. */
  n?: number;
  /** Runs; the smallest non-negative one counts. */
  runs?: number;
  /**
   * Milliseconds to wait after warm-up so concurrent (TurboFan) compilation lands before
   * measuring: on a busy machine an unfinished compile shows up as interpreter allocations.
   */
  settleMs?: number;
}

/** Smallest new-space growth per call of `fn` over runs without a scavenge. */
export async function bytesPerCall(fn: () => void, o: AllocOptions = {}): Promise<number> {
  const n = o.n ?? 2000;
  for (let i = 0; i < 100000; i++) fn();
  if (o.settleMs !== undefined) {
    await new Promise((r) => setTimeout(r, o.settleMs));
    for (let i = 0; i < 20000; i++) fn();
  }
  let best = Infinity;
  // A scavenge in every run leaves no sample (seen once in CI under Node 24: "Infinity
  // bytes per call"): the runs are repeated, a bounded number of times, until one is clean.
  for (let attempt = 0; attempt < 5 && best === Infinity; attempt++) {
    for (let run = 0; run < (o.runs ?? 9); run++) {
      const a = newSpaceUsed();
      for (let i = 0; i < n; i++) fn();
      const b = newSpaceUsed();
      const c = newSpaceUsed();
      const d = newSpaceUsed();
      const delta = b - a - (d - c);
      if (delta >= 0 && delta < best) best = delta;
    }
  }
  return best / n;
}

/**
 * A send that respond() takes for the transport's own (marked with markSend, as core.ts marks the send of an app still answering):
 * whole responses reach `onRespond` without a server, as they reach Exchange.respond().
 */
export function transportSend(onRespond: (status: number, head: EncodedHeaders | null, body: string | Uint8Array | null) => void): Send {
  const send: Send = () => Promise.resolve();
  markSend(send, { send, respond: onRespond });
  return send;
}
