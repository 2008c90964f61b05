// Process statistics from /proc (Linux): CPU time and peak RSS of a process and its descendants.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export const procAvailable = existsSync('/proc/self/stat');

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf missing: 100 is the Linux default.
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Fields of /proc/<pid>/stat after the command name: [0] is state (field 3), [1] ppid, [11] utime, [12] stime. */
function statFields(pid: number): string[] | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The process and all its descendants. */
export function processTree(root: number): number[] {
  const out: number[] = [];
  const queue = [root];
  let scanned: Map<number, number[]> | null = null;
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (statFields(pid) === null) continue;
    out.push(pid);
    let children: number[] | null = [];
    const tasks = (() => {
      try {
        return readdirSync(`/proc/${pid}/task`);
      } catch {
        return [];
      }
    })();
    for (const tid of tasks) {
      const text = read(`/proc/${pid}/task/${tid}/children`);
      if (text === null) {
        children = null;
        break;
      }
      for (const c of text.trim().split(/\s+/)) if (c !== '') children.push(Number(c));
    }
    if (children === null) {
      // Kernel without /proc/<pid>/task/<tid>/children: scan every process's parent once.
      if (scanned === null) {
        scanned = new Map();
        for (const entry of readdirSync('/proc')) {
          if (!/^\d+$/.test(entry)) continue;
          const ppid = Number(statFields(Number(entry))?.[1] ?? -1);
          const list = scanned.get(ppid) ?? [];
          list.push(Number(entry));
          scanned.set(ppid, list);
        }
      }
      children = scanned.get(pid) ?? [];
    }
    queue.push(...children);
  }
  return out;
}

/** CPU seconds (user + system) consumed so far by one process, null when gone. */
export function cpuSeconds(pid: number): number | null {
  const f = statFields(pid);
  if (f === null) return null;
  return (Number(f[11]) + Number(f[12])) / clockTicks;
}

/** CPU seconds of a process tree. */
export function treeCpuSeconds(root: number): number | null {
  if (!procAvailable) return null;
  let sum = 0;
  let any = false;
  for (const pid of processTree(root)) {
    const s = cpuSeconds(pid);
    if (s !== null) {
      sum += s;
      any = true;
    }
  }
  return any ? sum : null;
}

/** Peak RSS (VmHWM) summed over a process tree, MiB. */
export function treePeakRssMiB(root: number): number | null {
  if (!procAvailable) return null;
  let kib = 0;
  let any = false;
  for (const pid of processTree(root)) {
    const m = /VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
    if (m !== null) {
      kib += Number(m[1]);
      any = true;
    }
  }
  return any ? kib / 1024 : null;
}

/** CPU seconds of this process (for an in-process load generator). */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds spent by the whole machine in user + nice + system time (all cores), from /proc/stat. */
export function systemCpuSeconds(): number | null {
  const line = read('/proc/stat')?.split('\n', 1)[0];
  if (line === undefined || !line.startsWith('cpu ')) return null;
  const [user = 0, nice = 0, system = 0] = line.slice(4).trim().split(/\s+/).map(Number);
  return (user + nice + system) / clockTicks;
}

type Reader = () => number | null;

/**
 * Samples CPU-seconds readers periodically, so that utilisation is known over the steady part of a run
 * even for a process that has exited by the time the caller asks (its last sample is kept).
 */
export class CpuSampler {
  private readonly readers = new Map<string, Reader>();
  private readonly samples: Array<{ t: number; v: Map<string, number> }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(readers: Record<string, Reader>, intervalMs = 200) {
    for (const [k, r] of Object.entries(readers)) this.readers.set(k, r);
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Starts sampling one more reader (e.g. the load generator once its pid is known). */
  add(key: string, reader: Reader): void {
    this.readers.set(key, reader);
  }

  private sample(): void {
    const v = new Map<string, number>();
    for (const [k, r] of this.readers) {
      const x = r();
      if (x !== null) v.set(k, x);
    }
    this.samples.push({ t: performance.now(), v });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The steady-state window: samples holding every key, less the first (ramp-up) when there are enough. */
  private window(keys: string[]): [(typeof this.samples)[number], (typeof this.samples)[number]] | null {
    const s = this.samples.filter((x) => keys.every((k) => x.v.has(k)));
    const w = s.length >= 4 ? s.slice(1) : s;
    const first = w[0];
    const last = w.at(-1);
    return first === undefined || last === undefined || last.t <= first.t ? null : [first, last];
  }

  /** Utilisation of one reader, % of one core. */
  pct(key: string): number | null {
    const w = this.window([key]);
    return w === null ? null : ((w[1].v.get(key)! - w[0].v.get(key)!) / ((w[1].t - w[0].t) / 1000)) * 100;
  }

  /** `total` minus every other reader over their common window, % of one core (never below 0). */
  remainderPct(total: string): number | null {
    const keys = [...this.readers.keys()];
    const w = this.window(keys);
    if (w === null) return null;
    let cpu = 0;
    for (const k of keys) cpu += (k === total ? 1 : -1) * (w[1].v.get(k)! - w[0].v.get(k)!);
    return Math.max(0, (cpu / ((w[1].t - w[0].t) / 1000)) * 100);
  }
}
