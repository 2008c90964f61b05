// Parent side of idle-server.ts: a server in its own process whose memory can be read.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Memory {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  connections: number;
  pooled: number;
  appCalls: number;
  /** Apps of the 'stream' kinds that have finished. */
  settled: number;
}

/** Bytes per body message of the 'stream' kinds (idle-server.ts streamBody()). */
export const STREAM_CHUNK = 64 * 1024;

export type ChildKind = 'small' | 'big' | 'stream' | 'stream-unawaited';

export interface ChildServer {
  port: number;
  /** For reading the child's own /proc/<pid>/status. */
  pid: number;
  /** Memory after two full GCs in the child. */
  measure(): Promise<Memory>;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./idle-server.js', import.meta.url));

/** `chunks`: body messages per response of the 'stream' kinds. */
export async function startChild(options: Record<string, unknown>, kind: ChildKind = 'small', chunks = 0): Promise<ChildServer> {
  // The 'stream' kinds churn through hundreds of fresh 64 KiB buffers: glibc would keep
  // the freed ones in its heap (RSS +10-40 MiB here, varying with when V8 collects), so
  // they get their own mappings, returned on free, and RSS shows what is still held.
  const env = kind === 'stream' || kind === 'stream-unawaited' ? { ...process.env, MALLOC_MMAP_THRESHOLD_: String(STREAM_CHUNK) } : process.env;
  const child: ChildProcess = fork(SCRIPT, [JSON.stringify(options), kind, String(chunks)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('child server did not start')), 10_000);
    child.once('message', (m: { port: number }) => {
      clearTimeout(t);
      resolve(m.port);
    });
    child.once('exit', (code) => reject(new Error(`child server exited (${code})`)));
  });
  return {
    port,
    pid: child.pid!,
    measure: () =>
      new Promise<Memory>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('child did not answer measure')), 10_000);
        child.once('message', (m: Memory) => {
          clearTimeout(t);
          resolve(m);
        });
        child.send({ cmd: 'measure' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        if (child.connected) child.send({ cmd: 'exit' });
        else child.kill('SIGTERM');
      }),
  };
}
