// The supervising primary (node:cluster): forks the workers, which share its socket;
// replaces one that dies, that asks to be recycled (--limit-max-requests), or all of
// them when a watched file changes (--reload). A replacement is started first and the
// old worker told to drain once the new one listens, so the socket never closes and no
// accepted connection is dropped (the primary hands a connection a closing worker
// refuses to another).
import { gcExecArgv, singleThreadedGc } from './gc.js';
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { clearStaleSocket } from '../server/listen.js';
import type { Server } from '../server/server.js';
import type { Logger } from '../types.js';
import type { CliConfig } from './args.js';
import { resolveModuleFile, splitSpec } from './load.js';
import { watchForReload } from './reload.js';
import { resolve } from 'node:path';

export interface Output {
  write(text: string): unknown;
}

/** Set in the environment of forked workers. */
export const WORKER_ENV = 'FASTERAPI_WORKER';
const BIN = fileURLToPath(new URL('../../../bin/fasterapi.js', import.meta.url));

export type WorkerMessage = { fasterapi: 'listening'; url: string; what: string } | { fasterapi: 'fatal'; message: string } | { fasterapi: 'shutdown' } | { fasterapi: 'recycle' };

export interface PrimaryContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stderr: Output;
  logger: Logger;
  signal?: AbortSignal;
  handleSignals?: boolean;
  onListening?: (info: { url: string; server: Server | null }) => void;
  fatal: (stderr: Output, err: unknown, worker: boolean) => Promise<number>;
}

export async function runPrimary(config: CliConfig, args: readonly string[], o: PrimaryContext): Promise<number> {
  const { logger, stderr } = o;
  const appDir = resolve(o.cwd, config.appDir);
  let appFile: string;
  try {
    // Fail fast, with one line, before forking anything.
    appFile = resolveModuleFile(splitSpec(config.app!)[0], appDir);
    if (config.uds !== null) await clearStaleSocket(resolve(o.cwd, config.uds)); // workers bind through us
  } catch (err) {
    return o.fatal(stderr, err, false);
  }
  const execArgv = [...process.execArgv, ...gcExecArgv(singleThreadedGc(config.singleThreadedGc, config.workers))];
  cluster.setupPrimary({ exec: BIN, args: [...args], cwd: o.cwd, execArgv });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.env)) if (v !== undefined) env[k] = v;
  env[WORKER_ENV] = '1';

  return new Promise<number>((done) => {
    const workers = new Set<Worker>();
    const listening = new Set<Worker>();
    /** Workers told to drain: their exit is expected. */
    const retiring = new Set<Worker>();
    /** new worker → the worker it replaces once listening. */
    const replaces = new Map<Worker, Worker | null>();
    let announced = false;
    let stopping = false;
    let finished = false;
    let exitCode = 0;
    let unwatch: (() => void) | null = null;

    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      unwatch?.();
      if (code === 0) logger.info('stopped');
      if (o.handleSignals !== false) {
        process.removeListener('SIGTERM', onSignal);
        process.removeListener('SIGINT', onSignal);
      }
      o.signal?.removeEventListener('abort', stop);
      done(code);
    };
    const retire = (w: Worker): void => {
      retiring.add(w);
      if (listening.has(w)) w.send({ fasterapi: 'shutdown' } satisfies WorkerMessage);
      else w.process.kill('SIGTERM'); // still starting: no handler yet
    };
    const stopAll = (code: number): void => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      for (const w of workers) retire(w);
      if (workers.size === 0) finish(exitCode);
    };
    const fork = (old: Worker | null): Worker => {
      const w = cluster.fork(env);
      workers.add(w);
      replaces.set(w, old);
      // The primary may still be answering a worker that has already exited (its listen
      // failed: port in use): EPIPE on that channel is expected, not a crash of the primary.
      w.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE' && err.code !== 'ERR_IPC_CHANNEL_CLOSED') logger.error('worker channel error', err);
      });
      w.on('message', (m: WorkerMessage) => {
        if (m?.fasterapi === 'listening') {
          listening.add(w);
          const prev = replaces.get(w) ?? null;
          replaces.delete(w);
          if (prev !== null && !retiring.has(prev)) retire(prev);
          if (!announced && listening.size === config.workers) {
            announced = true;
            const n = config.workers > 1 ? ` with ${config.workers} workers` : '';
            logger.info(`fasterapi running on ${m.url}${n} (${m.what}; press CTRL+C to quit)`);
            o.onListening?.({ url: m.url, server: null });
          } else if (prev !== null) logger.info(`worker ${w.process.pid} replaced ${prev.process.pid}`);
        } else if (m?.fasterapi === 'recycle') {
          if (!stopping && !retiring.has(w) && ![...replaces.values()].includes(w)) {
            logger.info(`worker ${w.process.pid} reached --limit-max-requests ${config.limitMaxRequests}: replacing it`);
            fork(w);
          }
        } else if (m?.fasterapi === 'fatal') {
          if (stopping) return;
          if (announced && config.reload) {
            // A reload that does not load: keep serving the previous code until the next change.
            logger.error(`reload failed: ${m.message}; still serving the previous version`);
            retiring.add(w);
            return;
          }
          stderr.write(`fasterapi: error: ${m.message}\n`);
          stopAll(2);
        }
      });
      w.on('exit', (code, signal) => {
        workers.delete(w);
        listening.delete(w);
        const expected = retiring.delete(w);
        replaces.delete(w);
        if (stopping) {
          if (workers.size === 0) finish(exitCode);
          return;
        }
        if (expected) return;
        if (announced) {
          logger.warn(`worker ${w.process.pid} died (${signal ?? `exit code ${code}`}); starting another`);
          fork(null);
        } else {
          stderr.write(`fasterapi: error: a worker exited (${signal ?? `exit code ${code}`}) before it was listening\n`);
          stopAll(2);
        }
      });
      return w;
    };
    function stop(): void {
      if (stopping) return;
      logger.info('shutting down: waiting for in-flight requests');
      stopAll(0);
    }
    function onSignal(signal: NodeJS.Signals): void {
      if (stopping) {
        logger.warn(`${signal} again: killing workers`);
        for (const w of workers) w.process.kill('SIGKILL');
        finish(1);
        return;
      }
      stop();
    }
    if (o.handleSignals !== false) {
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    }
    o.signal?.addEventListener('abort', stop, { once: true });
    if (config.reload) {
      unwatch = watchForReload(config, appFile, o.cwd, logger, (file) => {
        if (stopping) return;
        logger.info(`${file} changed: reloading`);
        for (const w of listening) if (!retiring.has(w)) fork(w);
      });
    }
    for (let i = 0; i < config.workers; i++) fork(null);
  });
}
