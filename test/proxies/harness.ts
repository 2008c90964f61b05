/**
 * Real reverse proxies on loopback, for tests.
 *
 * Each `start*` function writes a configuration into a fresh temp dir, starts
 * the proxy as a child process on a free 127.0.0.1 port in front of
 * `127.0.0.1:<backendPort>`, waits (bounded) until the port accepts
 * connections and returns a handle whose `stop()` kills the proxy and removes
 * the temp dir. Every child that is still alive when this process exits is
 * killed by an exit hook, so a crashed test run leaves nothing behind.
 *
 * `request()` is a small CLIENT built on node:http / node:https (only the
 * server under test must avoid node:http).
 */
import { test } from 'uvu';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The host name the Nginx test configuration serves and the test certificate names. */
export const SERVER_NAME = 'api.example.com';

/** How long a proxy may take to accept connections before start-up fails. */
export const START_TIMEOUT_MS = 5000;

export interface ProxyHandle {
  /** Which proxy ('nginx', 'haproxy', 'caddy'). */
  readonly name: string;
  /** The loopback port the proxy listens on. */
  readonly port: number;
  /** Origin to send requests to, without a trailing slash, e.g. `https://127.0.0.1:40123`. */
  readonly url: string;
  /** The temp dir holding the configuration (removed by `stop()`). */
  readonly dir: string;
  /** Everything the proxy wrote to stdout/stderr so far (for diagnostics). */
  output(): string;
  /** Kills the proxy (TERM, then KILL after a grace period) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface Cert {
  /** PEM certificate path. */
  cert: string;
  /** PEM private key path. */
  key: string;
}

// ---------------------------------------------------------------------------
// binaries

const EXTRA_PATH = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Full path of `binary` on PATH (plus the sbin dirs, where Debian puts nginx and haproxy), or null. */
export function which(binary: string): string | null {
  if (binary.includes('/')) return isExecutable(binary) ? binary : null;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_PATH];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `binary` is installed (found on PATH or in an sbin dir). Synchronous, so tests can decide at registration time. */
export function has(binary: string): boolean {
  return which(binary) !== null;
}

function need(binary: string): string {
  const path = which(binary);
  if (!path) throw new Error(`${binary} is not installed (run .ci/run, which installs it with apt-get)`);
  return path;
}

// ---------------------------------------------------------------------------
// ports, temp dirs, child processes

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
/**
 * For tests: true when all `binaries` are installed. Otherwise the test fails when CI is
 * set (.ci/run installs them) and logs a SKIP line when it is not, never passing silently.
 */
export function available(what: string, binaries: string[]): boolean {
  const missing = binaries.filter((b) => !has(b));
  if (missing.length === 0) return true;
  const msg = `${what}: ${missing.join(', ')} not installed`;
  if (process.env.CI) throw new Error(`${msg}; CI is set, so this is a failure (.ci/run installs them with apt-get)`);
  console.log(`\nSKIP ${msg} (CI not set; .ci/run installs it)`);
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close((err) => (err ? reject(err) : port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** A fresh temp dir `fasterapi-<prefix>-XXXXXX`. */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `fasterapi-${prefix}-`));
}

const live = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killTree(child, 'SIGKILL');
    for (const dir of liveDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
  });
}

/** Signals the child's own process group (it is spawned detached), falling back to the child alone. */
function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
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

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

function tryConnect(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

interface LaunchOptions {
  name: string;
  binary: string;
  args: string[];
  dir: string;
  port: number;
  url: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Spawns a proxy, waits until its port accepts connections, returns its handle. */
async function launch(opts: LaunchOptions): Promise<ProxyHandle> {
  installExitHook();
  const child = spawn(opts.binary, opts.args, {
    cwd: opts.dir,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: stop() can reach workers too
  });
  live.add(child);
  liveDirs.add(opts.dir);
  let out = '';
  const collect = (chunk: Buffer): void => {
    if (out.length < 64 * 1024) out += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | null = null;
  child.once('error', (err) => {
    spawnError = err;
  });
  child.once('exit', () => live.delete(child));

  let stopped: Promise<void> | null = null;
  const handle: ProxyHandle = {
    name: opts.name,
    port: opts.port,
    url: opts.url,
    dir: opts.dir,
    output: () => out,
    stop(): Promise<void> {
      stopped ??= (async () => {
        if (!exited(child)) {
          killTree(child, 'SIGTERM');
          if (!(await waitExit(child, 3000))) {
            killTree(child, 'SIGKILL');
            await waitExit(child, 2000);
          }
        }
        child.stdout?.destroy();
        child.stderr?.destroy();
        live.delete(child);
        await rm(opts.dir, { recursive: true, force: true });
        liveDirs.delete(opts.dir);
      })();
      return stopped;
    },
  };

  const deadline = Date.now() + (opts.timeoutMs ?? START_TIMEOUT_MS);
  for (;;) {
    if (spawnError || exited(child)) {
      // give the pipes a moment to deliver the last words
      await new Promise((r) => setTimeout(r, 50));
      await handle.stop();
      const why = spawnError ? `could not be spawned: ${(spawnError as Error).message}` : `exited with ${child.exitCode ?? child.signalCode} before accepting connections`;
      throw new Error(`${opts.name} ${why}\n--- ${opts.name} output ---\n${out.trim()}`);
    }
    if (await tryConnect(opts.port, 500)) return handle;
    if (Date.now() >= deadline) {
      await handle.stop();
      throw new Error(
        `${opts.name} did not accept connections on 127.0.0.1:${opts.port} within ${opts.timeoutMs ?? START_TIMEOUT_MS} ms\n` + `--- ${opts.name} output ---\n${out.trim()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function run(binary: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd, timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${binary} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

// ---------------------------------------------------------------------------
// certificate

/**
 * A self-signed certificate for api.example.com (and IP 127.0.0.1), valid 2 days,
 * written as `<dir>/api.pem` and `<dir>/api.key`.
 */
export async function makeCert(dir: string): Promise<Cert> {
  const cert = join(dir, 'api.pem');
  const key = join(dir, 'api.key');
  await run(
    need('openssl'),
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${SERVER_NAME}`,
      '-addext',
      `subjectAltName=DNS:${SERVER_NAME},IP:127.0.0.1`,
      '-days',
      '2',
    ],
    dir,
  );
  return { cert, key };
}

// ---------------------------------------------------------------------------
// nginx

export interface NginxOptions {
  backendPort: number;
  /** TLS listener with a makeCert() certificate, as on the seed page (default true). */
  tls?: boolean;
  /**
   * Directives appended to the seed page's `location /api/` block, one per entry, e.g.
   * `proxy_set_header X-Forwarded-Prefix /api;` (default none: the seed config as is).
   */
  extraLocationLines?: readonly string[];
  timeoutMs?: number;
}

/**
 * The seed page's server block, unchanged except for the listen address (a free
 * loopback port instead of 443) and the certificate paths (a fresh self-signed
 * certificate instead of /etc/ssl/...). With `tls: false` the listen line has no
 * `ssl` and there are no certificate lines.
 */
export function nginxServerBlock(port: number, tls: boolean, cert?: Cert, extraLocationLines: readonly string[] = []): string {
  const listen = tls ? `listen 127.0.0.1:${port} ssl;` : `listen 127.0.0.1:${port};`;
  const certLines =
    tls && cert
      ? `
        ssl_certificate     ${cert.cert};
        ssl_certificate_key ${cert.key};
`
      : '';
  return `    server {
        ${listen}
        server_name ${SERVER_NAME};
${certLines}
        location /api/ {
            proxy_pass         http://fasterapi/;
            proxy_set_header   Host              $host;
            proxy_set_header   X-Real-IP         $remote_addr;
            proxy_set_header   X-Forwarded-For   $proxy_add_x_forwarded_for;
            proxy_set_header   X-Forwarded-Proto $scheme;
            proxy_redirect     off;
${extraLocationLines.map((l) => `            ${l}\n`).join('')}        }
    }
`;
}

/** Nginx with the seed page's configuration; `url` is the origin, requests go to `${url}/api/...`. */
export async function startNginx(opts: NginxOptions): Promise<ProxyHandle> {
  const binary = need('nginx');
  const tls = opts.tls ?? true;
  const dir = await makeTempDir('nginx');
  try {
    const port = await freePort();
    const cert = tls ? await makeCert(dir) : undefined;
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const conf = `# generated by test/proxies/harness.ts
${asRoot ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;

events {
    worker_connections 256;
}

http {
    access_log off;
    client_body_temp_path ${dir}/client_body_temp;
    proxy_temp_path       ${dir}/proxy_temp;
    fastcgi_temp_path     ${dir}/fastcgi_temp;
    uwsgi_temp_path       ${dir}/uwsgi_temp;
    scgi_temp_path        ${dir}/scgi_temp;

    upstream fasterapi {
        server 127.0.0.1:${opts.backendPort};
    }

${nginxServerBlock(port, tls, cert, opts.extraLocationLines)}}
`;
    const confPath = join(dir, 'nginx.conf');
    await writeFile(confPath, conf);
    return await launch({
      name: 'nginx',
      binary,
      args: ['-p', `${dir}/`, '-c', confPath, '-g', 'daemon off;'],
      dir,
      port,
      url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
      timeoutMs: opts.timeoutMs,
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------
// haproxy

export type HaproxyMode = 'forwardfor' | 'set-forwarded' | 'add-forwarded' | 'send-proxy' | 'send-proxy-v2';

export interface HaproxyOptions {
  backendPort: number;
  /**
   * 'forwardfor': `mode http`, `option forwardfor`, `http-request set-header X-Forwarded-Proto http`.
   * 'set-forwarded': `mode http`, `http-request set-header Forwarded for=<src>;proto=http;host=<Host>`
   *   (haproxy 2.6 has no `option forwarded`, added in 2.7; set-header writes the same element and
   *   replaces every Forwarded line the client sent).
   * 'add-forwarded': `mode http`, `http-request add-header Forwarded for=<src>`: a line of its
   *   own after the client's, with `for=` only (an appending proxy, as `option forwarded` is
   *   documented to behave).
   * 'send-proxy' / 'send-proxy-v2': `mode tcp`, the server line carries `send-proxy` / `send-proxy-v2`.
   */
  mode: HaproxyMode;
  timeoutMs?: number;
}

export async function startHaproxy(opts: HaproxyOptions): Promise<ProxyHandle> {
  const binary = need('haproxy');
  const dir = await makeTempDir('haproxy');
  try {
    const port = await freePort();
    const httpMode = opts.mode === 'forwardfor' || opts.mode === 'set-forwarded' || opts.mode === 'add-forwarded';
    const httpLines =
      opts.mode === 'forwardfor'
        ? '    option forwardfor\n    http-request set-header X-Forwarded-Proto http\n'
        : opts.mode === 'set-forwarded'
          ? '    http-request set-header Forwarded "for=\\"%[src]\\";proto=http;host=\\"%[req.hdr(host)]\\""\n'
          : opts.mode === 'add-forwarded'
            ? '    http-request add-header Forwarded "for=\\"%[src]\\""\n'
            : '';
    const conf = `# generated by test/proxies/harness.ts
global
    maxconn 256

defaults
    mode ${httpMode ? 'http' : 'tcp'}
    timeout connect 5s
    timeout client  30s
    timeout server  30s

frontend fe
    bind 127.0.0.1:${port}
${httpLines}    default_backend be

backend be
    server s1 127.0.0.1:${opts.backendPort}${httpMode ? '' : ` ${opts.mode}`}
`;
    const confPath = join(dir, 'haproxy.cfg');
    await writeFile(confPath, conf);
    return await launch({
      name: `haproxy(${opts.mode})`,
      binary,
      args: ['-f', confPath, '-db'],
      dir,
      port,
      url: `http://127.0.0.1:${port}`,
      timeoutMs: opts.timeoutMs,
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------
// caddy

export interface CaddyOptions {
  backendPort: number;
  timeoutMs?: number;
}

export async function startCaddy(opts: CaddyOptions): Promise<ProxyHandle> {
  const binary = need('caddy');
  const dir = await makeTempDir('caddy');
  try {
    const port = await freePort();
    const conf = `# generated by test/proxies/harness.ts
{
    admin off
    auto_https off
}

http://127.0.0.1:${port} {
    reverse_proxy 127.0.0.1:${opts.backendPort}
}
`;
    const confPath = join(dir, 'Caddyfile');
    await writeFile(confPath, conf);
    return await launch({
      name: 'caddy',
      binary,
      args: ['run', '--config', confPath, '--adapter', 'caddyfile'],
      dir,
      port,
      url: `http://127.0.0.1:${port}`,
      env: {
        ...process.env,
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, 'config'),
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_CACHE_HOME: join(dir, 'cache'),
      },
      timeoutMs: opts.timeoutMs,
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------
// client

export interface RequestOptions {
  method?: string;
  /** Request headers; for https a missing Host defaults to api.example.com. */
  headers?: Record<string, string | string[]>;
  /** Path and query; default: the url's own path (or `/`). */
  path?: string;
  body?: string | Buffer;
  /** Verify the proxy's certificate (default false: the test certificate is self-signed). */
  rejectUnauthorized?: boolean;
  /** TLS SNI (default api.example.com). */
  servername?: string;
  /** CA to verify against when rejectUnauthorized is true (e.g. the makeCert() PEM). */
  ca?: string | Buffer;
  /** Whole-exchange timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Source address of the client socket (default: the OS's choice, 127.0.0.1 on loopback). */
  localAddress?: string;
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body decoded as UTF-8. */
  body: string;
  /** The body bytes as received. */
  rawBody: Buffer;
}

/** One request through a proxy with a fresh connection (no agent, nothing kept alive). */
export function request(url: string, opts: RequestOptions = {}): Promise<Response> {
  const target = new URL(url);
  const isTls = target.protocol === 'https:';
  const headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
  if (isTls && !Object.keys(headers).some((h) => h.toLowerCase() === 'host')) headers.host = SERVER_NAME;
  const path = opts.path ?? `${target.pathname || '/'}${target.search}`;
  const timeoutMs = opts.timeoutMs ?? 5000;

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, res?: Response): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res as Response);
    };
    const common: http.RequestOptions = {
      host: target.hostname,
      port: target.port ? Number(target.port) : isTls ? 443 : 80,
      method: opts.method ?? 'GET',
      path,
      headers,
      agent: false,
      ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
    };
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => finish(e));
      res.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: rawBody.toString('utf8'), rawBody });
      });
    };
    const req = isTls
      ? https.request(
          {
            ...common,
            servername: opts.servername ?? SERVER_NAME,
            rejectUnauthorized: opts.rejectUnauthorized ?? false,
            ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
          },
          onResponse,
        )
      : http.request(common, onResponse);
    const timer = setTimeout(() => {
      req.destroy();
      finish(new Error(`request ${common.method} ${url}${path === target.pathname ? '' : ` (path ${path})`} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => finish(e));
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

// ---------------------------------------------------------------------------
// a raw echo backend (node:net, not node:http) for checking what a proxy forwards

/** PROXY protocol v2 signature (first 12 bytes of a v2 header). */
export const PROXY_V2_SIGNATURE = Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1');

export interface EchoBackend {
  readonly port: number;
  /** Raw bytes each connection sent up to the end of its first request head (PROXY header included). */
  readonly received: Buffer[];
  close(): Promise<void>;
}

/** Length of a leading PROXY v1/v2 header in `buf`, 0 if none, -1 if it is not complete yet. */
function proxyHeaderLength(buf: Buffer): number {
  if (buf.length >= 12 && buf.subarray(0, 12).equals(PROXY_V2_SIGNATURE)) {
    if (buf.length < 16) return -1;
    const total = 16 + buf.readUInt16BE(14);
    return buf.length >= total ? total : -1;
  }
  if (buf.length < 12 && PROXY_V2_SIGNATURE.subarray(0, buf.length).equals(buf)) return -1;
  if (buf.subarray(0, 6).toString('latin1') === 'PROXY ') {
    const eol = buf.indexOf('\r\n');
    return eol === -1 ? -1 : eol + 2;
  }
  return 0;
}

/**
 * A raw node:net server on 127.0.0.1 that answers the first request on each
 * connection with `200` and a body that is exactly the bytes it received up to
 * the end of the request head (a PROXY header, if any, included), then closes.
 */
export function startEchoBackend(): Promise<EchoBackend> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.setTimeout(10_000, () => sock.destroy());
    let buf = Buffer.alloc(0);
    let answered = false;
    sock.on('data', (chunk: Buffer) => {
      if (answered) return;
      buf = Buffer.concat([buf, chunk]);
      const skip = proxyHeaderLength(buf);
      if (skip < 0) return;
      const end = buf.indexOf('\r\n\r\n', skip);
      if (end === -1) {
        if (buf.length > 64 * 1024) sock.destroy();
        return;
      }
      answered = true;
      const head = buf.subarray(0, end + 4);
      received.push(head);
      sock.end(
        Buffer.concat([
          Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n' + `content-length: ${head.length}\r\nconnection: close\r\n\r\n`, 'latin1'),
          head,
        ]),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        port,
        received,
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}

/** Header lines of a raw request head as [lowercased name, value] pairs, in order (repeated lines kept). */
export function parseHead(head: Buffer | string): { requestLine: string; headers: Array<[string, string]> } {
  let text = typeof head === 'string' ? head : head.toString('latin1');
  if (text.startsWith('\r\n\r\n\0\r\nQUIT\n')) {
    const len = 16 + ((text.charCodeAt(14) << 8) | text.charCodeAt(15));
    text = text.slice(len);
  } else if (text.startsWith('PROXY ')) {
    text = text.slice(text.indexOf('\r\n') + 2);
  }
  const lines = text.split('\r\n');
  const requestLine = lines.shift() ?? '';
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    if (!line) break;
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { requestLine, headers };
}

/** All values of header `name` (case-insensitive) in a parsed head, one per line. */
export function headerValues(parsed: { headers: Array<[string, string]> }, name: string): string[] {
  const lower = name.toLowerCase();
  return parsed.headers.filter(([n]) => n === lower).map(([, v]) => v);
}

// ---------------------------------------------------------------------------
// bounded tests

/** Stops what a test started (a proxy, a server), in a finally block. */
export type Cleanup = () => Promise<void>;

/**
 * A uvu test whose body is bounded by `timeoutMs`; everything it registered with `use`
 * is stopped afterwards, in reverse order, whatever happened. TRUST_TEST_VERBOSE=1 prints
 * the body's and the cleanup's time.
 */
export function bounded(name: string, fn: (use: (c: Cleanup) => void) => Promise<void>, timeoutMs = 25_000): void {
  test(name, async () => {
    const started = Date.now();
    const cleanups: Cleanup[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        fn((c) => cleanups.push(c)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${name}: timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      const body = Date.now() - started;
      for (const c of cleanups.reverse()) {
        try {
          await c();
        } catch (err) {
          console.error(`${name}: cleanup failed:`, err);
        }
      }
      if (process.env.TRUST_TEST_VERBOSE) console.log(`\nTIME ${name}: body ${body} ms, cleanup ${Date.now() - started - body} ms`);
    }
  });
}
