// `fasterapi MODULE[:EXPORT] [options]`: serves a module's app, in one process or in
// --workers N processes under node:cluster. main() never exits the process itself: it
// resolves with the exit code (0 after a graceful shutdown or --help, 1 when forced,
// 2 on a usage or start-up error), which bin/fasterapi.js hands to process.exit().
import { LifespanError } from '../server/lifespan.js';
import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer, type CreateServerOptions } from '../create.js';
import { consoleLogger } from '../server/logger.js';
import type { Server } from '../server/server.js';
import type { TrustOptions } from '../trust/options.js';
import type { Logger } from '../types.js';
import { withAccessLog } from './access-log.js';
import { UsageError, parseArgs, type CliConfig } from './args.js';
import { firstLine, loadApp, resolveModuleFile, splitSpec } from './load.js';
import { usage } from './usage.js';

interface Output {
  write(text: string): unknown;
}

export interface MainOptions {
  /** Arguments after the script name (process.argv.slice(2)). */
  args: readonly string[];
  /** Default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory module paths are resolved against. Default process.cwd(). */
  cwd?: string;
  /** --help and --version go here. Default process.stdout. */
  stdout?: Output;
  /** Log lines and the error line go here. Default process.stderr. */
  stderr?: Output;
  /** Stops serving (gracefully) when aborted; for callers other than the bin shim. */
  signal?: AbortSignal;
  /** Install SIGTERM/SIGINT handlers. Default true. */
  handleSignals?: boolean;
  /** Called once the server (or every worker) listens. */
  onListening?: (info: { url: string; server: Server | null }) => void;
}

/** Set in the environment of forked workers. */
const WORKER_ENV = 'FASTERAPI_WORKER';
const BIN = fileURLToPath(new URL('../../../bin/fasterapi.js', import.meta.url));

type WorkerMessage = { fasterapi: 'listening'; url: string } | { fasterapi: 'fatal'; message: string } | { fasterapi: 'shutdown' };

/** Runs the CLI; resolves with the process exit code. */
export async function main(o: MainOptions): Promise<number> {
  const env = o.env ?? process.env;
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  const worker = cluster.isWorker && env[WORKER_ENV] === '1';
  let config: CliConfig;
  try {
    config = parseArgs(o.args, env);
  } catch (err) {
    return fatal(stderr, err, worker);
  }
  if (config.help) {
    stdout.write(usage());
    return 0;
  }
  if (config.version) {
    stdout.write(`fasterapi ${version()}\n`);
    return 0;
  }
  if (config.app === null) {
    return fatal(stderr, new UsageError('missing the app module: fasterapi MODULE[:EXPORT] [options] (see --help)'), worker);
  }
  // Worker lines carry the pid, so interleaved workers stay apart.
  const logger = consoleLogger(config.logLevel, stderr, cluster.isWorker ? `[${process.pid}] ` : '');
  if (config.workers > 1 && !worker) return runPrimary(config, o, logger, stderr);
  return runServer(config, o, logger, stderr, worker);
}

/** One process serving the app (the whole CLI, or one cluster worker). */
async function runServer(config: CliConfig, o: MainOptions, logger: Logger, stderr: Output, worker: boolean): Promise<number> {
  const cwd = o.cwd ?? process.cwd();
  let server: Server;
  let url: string;
  let what: string;
  try {
    const loaded = await loadApp(config.app!, cwd);
    what = `${loaded.kind === 'faster' ? 'app' : loaded.kind + ' app'} from ${loaded.file}`;
    const options = { ...loaded.options, ...trustOptions(config), logger } as CreateServerOptions;
    const app = config.logLevel === 'debug' ? withAccessLog(loaded.app, logger) : loaded.app;
    try {
      server = createServer(app, options);
    } catch (err) {
      throw new UsageError(`invalid server options: ${firstLine(err)}`);
    }
    try {
      await server.listen(config.port, config.host);
    } catch (err) {
      throw new UsageError(listenError(err as NodeJS.ErrnoException, config));
    }
    url = `http://${urlHost(config.host)}:${server.address().port}`;
  } catch (err) {
    return fatal(stderr, err, worker);
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    let timer: NodeJS.Timeout | null = null;
    const cleanup = (): void => {
      if (o.handleSignals !== false) {
        process.removeListener('SIGTERM', onSignal);
        process.removeListener('SIGINT', onSignal);
      }
      o.signal?.removeEventListener('abort', stop);
      if (worker) {
        process.removeListener('message', onMessage);
        process.removeListener('disconnect', stop);
      }
      if (timer !== null) clearTimeout(timer);
    };
    const finish = (code: number): void => {
      cleanup();
      resolve(code);
    };
    function stop(): void {
      if (stopping) return;
      stopping = true;
      if (!worker) logger.info('shutting down: waiting for in-flight requests');
      if (config.gracefulTimeout !== null) {
        timer = setTimeout(() => {
          logger.warn(`graceful shutdown timed out after ${config.gracefulTimeout} s`);
          finish(1);
        }, config.gracefulTimeout * 1000);
      }
      server.close().then(
        () => {
          if (!worker) logger.info('stopped');
          finish(0);
        },
        (err) => {
          logger.error('shutdown failed', err);
          finish(1);
        },
      );
    }
    function onSignal(signal: NodeJS.Signals): void {
      if (stopping) {
        logger.warn(`${signal} again: exiting without waiting`);
        finish(1);
        return;
      }
      stop();
    }
    function onMessage(m: unknown): void {
      if ((m as WorkerMessage | null)?.fasterapi === 'shutdown') stop();
    }
    if (o.handleSignals !== false) {
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    }
    if (o.signal) {
      if (o.signal.aborted) stop();
      else o.signal.addEventListener('abort', stop, { once: true });
    }
    if (worker) {
      process.on('message', onMessage);
      process.on('disconnect', stop); // the primary is gone
    }
    // Announced once the signal handlers are in place: a signal right after the line stops gracefully.
    if (worker) process.send?.({ fasterapi: 'listening', url } satisfies WorkerMessage);
    else logger.info(`fasterapi running on ${url} (${what}; press CTRL+C to quit)`);
    o.onListening?.({ url, server });
  });
}

/** --workers N: forks N workers running this CLI; they share the listening socket. */
async function runPrimary(config: CliConfig, o: MainOptions, logger: Logger, stderr: Output): Promise<number> {
  const cwd = o.cwd ?? process.cwd();
  try {
    // Fail fast, with one line, before forking anything.
    resolveModuleFile(splitSpec(config.app!)[0], cwd);
  } catch (err) {
    return fatal(stderr, err, false);
  }
  cluster.setupPrimary({ exec: BIN, args: [...o.args], cwd });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.env ?? {})) if (v !== undefined) env[k] = v;
  env[WORKER_ENV] = '1';

  return new Promise<number>((resolve) => {
    const workers = new Set<Worker>();
    const listening = new Set<Worker>();
    let announced = false;
    let stopping = false;
    let done = false;
    let exitCode = 0;

    const finish = (code: number): void => {
      if (done) return;
      done = true;
      if (code === 0) logger.info('stopped');
      if (o.handleSignals !== false) {
        process.removeListener('SIGTERM', onSignal);
        process.removeListener('SIGINT', onSignal);
      }
      o.signal?.removeEventListener('abort', stop);
      resolve(code);
    };
    const stopAll = (code: number): void => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      for (const w of workers) {
        // A worker still starting has no handler yet: SIGTERM ends it outright.
        if (listening.has(w)) w.send({ fasterapi: 'shutdown' } satisfies WorkerMessage);
        else w.process.kill('SIGTERM');
      }
      if (workers.size === 0) finish(exitCode);
    };
    const fork = (): void => {
      const w = cluster.fork(env);
      workers.add(w);
      // The primary may still be answering a worker that has already exited (its listen
      // failed: port in use): EPIPE on that channel is expected, not a crash of the primary.
      w.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE' && err.code !== 'ERR_IPC_CHANNEL_CLOSED') logger.error('worker channel error', err);
      });
      w.on('message', (m: WorkerMessage) => {
        if (m?.fasterapi === 'listening') {
          listening.add(w);
          if (!announced && listening.size === config.workers) {
            announced = true;
            logger.info(`fasterapi running on ${m.url} with ${config.workers} workers (press CTRL+C to quit)`);
            o.onListening?.({ url: m.url, server: null });
          }
        } else if (m?.fasterapi === 'fatal') {
          if (!stopping) {
            stderr.write(`fasterapi: error: ${m.message}\n`);
            stopAll(2);
          }
        }
      });
      w.on('exit', (code, signal) => {
        workers.delete(w);
        const wasListening = listening.delete(w);
        if (stopping) {
          if (workers.size === 0) finish(exitCode);
          return;
        }
        if (wasListening) {
          logger.warn(`worker ${w.process.pid} died (${signal ?? `exit code ${code}`}); starting another`);
          fork();
        } else {
          stderr.write(`fasterapi: error: a worker exited (${signal ?? `exit code ${code}`}) before it was listening\n`);
          stopAll(2);
        }
      });
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
    for (let i = 0; i < config.workers; i++) fork();
  });
}

function trustOptions(config: CliConfig): TrustOptions {
  const t: TrustOptions = {};
  if (config.rootPath !== undefined) t.rootPath = config.rootPath;
  if (config.trustedProxies !== undefined) t.trustedProxies = config.trustedProxies;
  if (config.proxyHeaders !== undefined) t.proxyHeaders = config.proxyHeaders;
  if (config.proxy !== undefined) t.proxy = config.proxy;
  if (config.forwardedHeaders !== undefined) t.forwardedHeaders = config.forwardedHeaders;
  if (config.proxyProtocol !== undefined) t.proxyProtocol = config.proxyProtocol;
  return t;
}

function listenError(err: NodeJS.ErrnoException, config: CliConfig): string {
  if (err instanceof LifespanError) return err.message; // the app's startup failed: its own words
  const where = `${urlHost(config.host)}:${config.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${config.port} on ${config.host} is already in use`;
    case 'EACCES':
      return `permission denied to listen on ${where}`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: the address is not available on this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host '${config.host}'`;
    default:
      return `cannot listen on ${where}: ${firstLine(err)}`;
  }
}

function urlHost(host: string): string {
  return host.indexOf(':') >= 0 ? `[${host}]` : host;
}

/**
 * The one error line; returns exit code 2. A worker hands the line to the primary
 * instead (which prints the first one only), and waits until it is sent.
 */
async function fatal(stderr: Output, err: unknown, worker: boolean): Promise<number> {
  const message = err instanceof UsageError ? err.message : firstLine(err);
  const send = process.send?.bind(process);
  if (worker && send !== undefined) {
    await new Promise<void>((resolve) => {
      send({ fasterapi: 'fatal', message } satisfies WorkerMessage, undefined, undefined, () => resolve());
    });
  } else {
    stderr.write(`fasterapi: error: ${message}\n`);
  }
  return 2;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
