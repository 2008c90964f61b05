// Child processes of the suite: spawned pinned (taskset) and with a raised fd limit when needed, each in
// its own process group, tracked so that every one is killed at the end, also on error or Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';

const live = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

export function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

/** CPU ids this process may run on (Cpus_allowed_list), or 0..n-1 when unknown. */
export function allowedCpus(fallback: number): number[] {
  const m = /Cpus_allowed_list:\s*(\S+)/.exec(
    (() => {
      try {
        return readFileSync('/proc/self/status', 'utf8');
      } catch {
        return '';
      }
    })(),
  );
  if (m === null) return Array.from({ length: fallback }, (_, i) => i);
  const out: number[] = [];
  for (const part of m[1]!.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a!; c <= (b ?? a!); c++) out.push(c);
  }
  return out;
}

export interface FdLimits {
  soft: number;
  hard: number;
}

export function fdLimits(): FdLimits | null {
  const r = spawnSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const [soft, hard] = r.stdout
    .trim()
    .split('\n')
    .map((v) => (v.trim() === 'unlimited' ? Infinity : Number(v)));
  return soft !== undefined && hard !== undefined && !Number.isNaN(soft) && !Number.isNaN(hard) ? { soft, hard } : null;
}

export interface SpawnOptions {
  /** taskset CPU list ("0", "0-1"), or null to leave unpinned. */
  cpus: string | null;
  /** Raise the soft fd limit to this in the child (through sh's ulimit), or null. */
  nofile: number | null;
  env?: NodeJS.ProcessEnv;
}

/** The command line with taskset and the fd-limit shell prefixed as needed; exec keeps one pid. */
export function wrapCommand(command: string, args: string[], opts: SpawnOptions): [string, string[]] {
  let cmd = command;
  let argv = args;
  if (opts.cpus !== null) {
    argv = ['-c', opts.cpus, cmd, ...argv];
    cmd = 'taskset';
  }
  if (opts.nofile !== null) {
    argv = ['-c', 'ulimit -n "$0" && exec "$@"', String(opts.nofile), cmd, ...argv];
    cmd = 'sh';
  }
  return [cmd, argv];
}

export function spawnTracked(command: string, args: string[], opts: SpawnOptions): ChildProcess {
  const [cmd, argv] = wrapCommand(command, args, opts);
  const child = spawn(cmd, argv, {
    detached: true, // own process group: killed as a group (nginx master + worker, cluster primary + workers)
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  child.on('error', () => live.delete(child));
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** SIGTERM the child's group, SIGKILL after graceMs; resolves when it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL'); // leftovers of the group (e.g. cluster workers)
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL');
}

export function onCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Synchronous last resort: SIGKILL every live child group and run cleanups (temp dirs). */
export function killAllSync(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  cleanups.clear();
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c, 1000)));
  killAllSync();
}

/** Kill every child on exit, Ctrl-C, SIGTERM, SIGHUP and uncaught errors. */
export function installExitHandlers(): void {
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping servers and load generators`);
      void stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  process.on('uncaughtException', (err) => {
    console.error(err);
    killAllSync();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    killAllSync();
    process.exit(1);
  });
}

/** Keeps the last `max` characters written to a stream. */
export function tail(stream: NodeJS.ReadableStream | null, max = 8192): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-max);
  });
  return () => text;
}
