// `fasterapi MODULE[:EXPORT] [options]`: serves a module's app in one process, or under a
// supervising primary (node:cluster) when --workers > 1, --reload or --limit-max-requests
// asks for workers to be replaced: the primary holds the socket, a replacement starts
// before the worker it replaces stops, so the socket never closes. main() never exits
// the process itself: it resolves with the exit code (0 after a graceful shutdown or
// --help, 1 when forced, 2 on a usage or start-up error), which bin/fasterapi.js hands
// to process.exit().
import { applyGc, singleThreadedGc } from './gc.js';
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, type CreateServerOptions } from '../create.js';
import { LifespanError } from '../server/lifespan.js';
import type { ListenOptions } from '../server/listen.js';
import type { Server } from '../server/server.js';
import type { TrustOptions } from '../trust/options.js';
import { compileMatcher } from '../trust/matcher.js';
import type { App, Logger } from '../types.js';
import { accessLog } from './access-log.js';
import { type CliConfig, type Given, UsageError, parseArgs } from './args.js';
import { type LoadedApp, loadApp, loadEnvFile, firstLine } from './load.js';
import { applyLogConfig, makeLogger } from './log.js';
import { type Output, runPrimary, WORKER_ENV, type WorkerMessage } from './primary.js';
import { tlsOptions } from './tls.js';
import { usage } from './usage.js';

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

/** How long a retiring worker keeps serving after it stops accepting. */
const DRAIN_MS = 300;

/** Runs the CLI; resolves with the process exit code. */
export async function main(o: MainOptions): Promise<number> {
  const env = o.env ?? process.env;
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  const worker = cluster.isWorker && env[WORKER_ENV] === '1';
  const cwd = o.cwd ?? process.cwd();
  let config: CliConfig;
  try {
    const given: Given = new Set();
    config = parseArgs(o.args, env, given);
    applyLogConfig(config, given, cwd);
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
  const prefix = cluster.isWorker ? `[${process.pid}] ` : '';
  const logger = makeLogger(config.logLevel, config.logFormat, stderr, prefix);
  const supervised = config.workers > 1 || config.reload || config.limitMaxRequests !== null;
  if (supervised && !worker) return runPrimary(config, o.args, { cwd, env, stderr, logger, signal: o.signal, handleSignals: o.handleSignals, onListening: o.onListening, fatal });
  return runServer(config, o, logger, stderr, worker);
}

/** One process serving the app (the whole CLI, or one worker of a primary). */
async function runServer(config: CliConfig, o: MainOptions, logger: Logger, stderr: Output, worker: boolean): Promise<number> {
  const base = o.cwd ?? process.cwd();
  const cwd = resolve(base, config.appDir);
  let server: Server;
  let url: string;
  let what: string;
  let graceMs = 30_000;
  let served: LoadedApp['served'];
  try {
    if (config.envFile !== null) loadEnvFile(config.envFile, base, process.env);
    applyGc(singleThreadedGc(config.singleThreadedGc, worker ? config.workers : 1));
    const loaded = await loadApp(config.app!, cwd, { factory: config.factory, interface: config.interface });
    what = loaded.kind === 'faster' ? 'app' : `${loaded.kind} app`;
    served = loaded.served;
    const options = serverOptions(config, loaded.options as CreateServerOptions, logger, stderr, base);
    graceMs = options.timeoutGracefulShutdown ?? graceMs;
    let app = loaded.app;
    if (worker && config.limitMaxRequests !== null) app = recycleAfter(app, config.limitMaxRequests);
    try {
      server = createServer(app, options);
    } catch (err) {
      throw new UsageError(`invalid server options: ${firstLine(err)}`);
    }
    try {
      await server.listen(listenOptions(config, base));
    } catch (err) {
      throw new UsageError(listenError(err as NodeJS.ErrnoException, config));
    }
    url = server.url!;
    what = `${what} from ${loaded.file}; ${describe(options)}`;
  } catch (err) {
    return fatal(stderr, err, worker);
  }
  return new Promise<number>((done) => {
    let stopping = false;
    let timer: NodeJS.Timeout | null = null;
    let finished = false;
    let stopped: (() => void) | null = null;
    let whenStopped: Promise<void> | null = null;
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
      finished = true;
      stopped?.();
      done(code);
    };
    function stop(): void {
      if (stopping) return;
      stopping = true;
      if (!worker) logger.info('shutting down: waiting for in-flight requests');
      // The server cuts requests still running after the graceful timeout; this is the
      // backstop should the app's lifespan shutdown hang too: exit 0, as uvicorn.
      if (graceMs > 0)
        timer = setTimeout(() => {
          logger.warn(`graceful shutdown timed out after ${graceMs / 1000} s: closing ${server.connections} connection(s)`);
          dropConnections();
          if (!worker) logger.info('stopped');
          finish(0);
        }, graceMs + 2000);
      const close = (): void => {
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
      };
      if (!worker) {
        close();
        return;
      }
      // A worker stops accepting first (the primary routes new connections elsewhere) and
      // serves on for DRAIN_MS: a connection handed over just before has its first request
      // read and answered, not closed as idle with the request on its way.
      server.net.close();
      setTimeout(close, DRAIN_MS);
    }
    function dropConnections(): void {
      for (const c of server.core.connections) c.socket.destroy();
    }
    // The app's own stop (Elysia's app.stop()) takes the signals' path; resolves once stopped.
    const stopFromApp = (force: boolean): Promise<void> => {
      if (finished) return Promise.resolve();
      whenStopped ??= new Promise<void>((resolve) => {
        stopped = resolve;
      });
      stop();
      if (force) dropConnections();
      return whenStopped;
    };
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
    served?.(stopFromApp);
    // Announced once the signal handlers are in place: a signal right after the line stops gracefully.
    if (worker) process.send?.({ fasterapi: 'listening', url, what } satisfies WorkerMessage);
    else logger.info(`fasterapi running on ${url} (${what}; press CTRL+C to quit)`);
    o.onListening?.({ url, server });
  });
}

/** The transport options the flags give, over the app's own (flags win). */
function serverOptions(config: CliConfig, own: CreateServerOptions, logger: Logger, stderr: Output, cwd: string): CreateServerOptions {
  const options: CreateServerOptions & Record<string, unknown> = { ...own, ...trustOptions(config), logger };
  if (config.timeoutKeepAlive !== null) options.keepAliveTimeout = config.timeoutKeepAlive * 1000;
  if (config.limitConcurrency !== null) options.maxConnections = config.limitConcurrency;
  if (config.serverHeader) options.serverHeader = 'fasterapi';
  else options.serverHeader = null;
  if (config.headers.length > 0) options.headers = config.headers;
  if (!config.dateHeader) options.dateHeader = false;
  if (config.sslKeyfile !== null) options.tls = tlsOptions(config, cwd);
  if (config.accessLog && config.logLevel !== 'error' && config.logLevel !== 'warn') {
    options.onResponse = accessLog(config.logFormat, stderr, cluster.isWorker ? `[${process.pid}] ` : '');
  }
  options.lifespan = config.lifespan;
  if (config.gracefulTimeout !== null) options.timeoutGracefulShutdown = config.gracefulTimeout * 1000;
  // The WebSocket layer's options (issue 15), in its units.
  if (config.wsMaxSize !== null) options.wsMaxSize = config.wsMaxSize;
  if (config.wsPingInterval !== null) options.wsPingInterval = config.wsPingInterval * 1000;
  if (config.wsPingTimeout !== null) options.wsPingTimeout = config.wsPingTimeout * 1000;
  if (config.wsPerMessageDeflate !== undefined) options.wsPerMessageDeflate = config.wsPerMessageDeflate;
  return options;
}

function listenOptions(config: CliConfig, cwd: string): ListenOptions {
  if (config.fd !== null) return { fd: config.fd, backlog: config.backlog };
  if (config.uds !== null) return { path: resolve(cwd, config.uds), mode: config.udsMode, backlog: config.backlog };
  return { port: config.port, host: config.host, backlog: config.backlog };
}

/** What matters behind a proxy, for the start-up line. */
function describe(options: CreateServerOptions): string {
  const t = options as TrustOptions & { tls?: unknown };
  const proxies = t.proxyHeaders === false ? 'off' : compileMatcher(t.trustedProxies, null).description;
  return `trusted proxies: ${proxies}; root path: ${t.rootPath || 'none'}; proxy preset: ${t.proxy ?? 'none'}; TLS ${t.tls != null ? 'on' : 'off'}`;
}

/** --limit-max-requests in a worker: past the limit, asks the primary for a replacement (once). */
function recycleAfter(app: App, limit: number): App {
  let served = 0;
  return (scope, receive, send) => {
    if (++served === limit) process.send?.({ fasterapi: 'recycle' } satisfies WorkerMessage);
    return app(scope, receive, send);
  };
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

export function listenError(err: NodeJS.ErrnoException, config: CliConfig): string {
  if (err instanceof LifespanError) return err.message; // the app's startup failed: its own words
  if (config.uds !== null) return `cannot listen on unix socket ${config.uds}: ${firstLine(err)}`;
  if (config.fd !== null) return `cannot listen on file descriptor ${config.fd}: ${firstLine(err)}`;
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
    await new Promise<void>((done) => {
      send({ fasterapi: 'fatal', message } satisfies WorkerMessage, undefined, undefined, () => done());
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
