// Runs alloc-child.js in its own process with --expose-gc and returns its figures.
// A child, so that neither tinybench nor anything else this process did is on the heap,
// and so that the young generation can be sized for the batches.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AllocRow } from './alloc-child.js';

export type { AllocRow };

/**
 * Semi-space size (MiB) for the child: a batch must fit in new space without a
 * scavenge. Changes when a GC runs, not what is allocated.
 */
const SEMI_SPACE_MIB = 16;

export interface AllocResult {
  rows: AllocRow[];
  /** Why there are no rows, when there are none. */
  error: string | null;
}

export async function measureAllocations(opts: { quick: boolean; only?: string; timeoutMs?: number }): Promise<AllocResult> {
  const script = fileURLToPath(new URL('./alloc-child.js', import.meta.url));
  const args = ['--expose-gc', `--min-semi-space-size=${SEMI_SPACE_MIB}`, `--max-semi-space-size=${SEMI_SPACE_MIB}`, script];
  if (opts.quick) args.push('--quick');
  if (opts.only !== undefined) args.push(`--only=${opts.only}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', (c) => resolve(c));
    child.on('error', () => resolve(null));
  });
  clearTimeout(timer);
  const last = out.trim().split('\n').at(-1) ?? '';
  try {
    const parsed = JSON.parse(last) as { rows?: AllocRow[]; error?: string };
    if (parsed.rows !== undefined) return { rows: parsed.rows, error: null };
    return { rows: [], error: parsed.error ?? 'no rows' };
  } catch {
    return { rows: [], error: `allocation child exited with ${code}: ${(err.trim().split('\n').at(-1) ?? '') || 'no output'}` };
  }
}
