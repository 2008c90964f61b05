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
}

export interface ChildServer {
  port: number;
  /** Memory after two full GCs in the child. */
  measure(): Promise<Memory>;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./idle-server.js', import.meta.url));

export async function startChild(options: Record<string, unknown>, kind: 'small' | 'big' = 'small'): Promise<ChildServer> {
  const child: ChildProcess = fork(SCRIPT, [JSON.stringify(options), kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
