// Where a server listens: a TCP address, a unix socket path, or an inherited descriptor,
// and the unix socket file's housekeeping.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import * as net from 'node:net';

export interface ListenOptions {
  /** TCP port; 0 picks a free one. Default 8000. */
  port?: number;
  /** Address to bind. Default '127.0.0.1'. */
  host?: string;
  /** A unix socket path instead of host and port (uvicorn --uds). */
  path?: string;
  /** Permissions given to the `path` socket file. Default 0o666, as uvicorn. */
  mode?: number;
  /** An inherited, already bound file descriptor (uvicorn --fd, systemd socket activation). */
  fd?: number;
  /** Kernel accept queue length. Default 511 (node:net's). */
  backlog?: number;
}

/**
 * Removes a socket file left by a server that is gone, so `path` can be bound again.
 * Refuses (throws) when `path` is not a socket, or when a server still answers on it:
 * only a socket nobody accepts on is deleted.
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) throw Object.assign(new Error(`${path} exists and is not a socket; not removing it`), { code: 'EEXIST' });
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw Object.assign(new Error(`a server is already listening on ${path}`), { code: 'EADDRINUSE' });
  unlinkSync(path);
}

/** Binds `server` as `o` says; resolves once listening. */
export async function bind(server: net.Server, o: ListenOptions): Promise<void> {
  const backlog = o.backlog ?? 511;
  if (o.path !== undefined) await clearStaleSocket(o.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.removeListener('error', reject);
      resolve();
    };
    if (o.fd !== undefined) server.listen({ fd: o.fd, backlog }, done);
    else if (o.path !== undefined) server.listen({ path: o.path, backlog }, done);
    else server.listen({ port: o.port ?? 8000, host: o.host ?? '127.0.0.1', backlog }, done);
  });
  if (o.path !== undefined) chmodSync(o.path, o.mode ?? 0o666);
}
