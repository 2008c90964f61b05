// The contenders: how each server is started, and the check that they all answer the same.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { spawnTracked, stopChild, tail, which } from './children.js';
import { REALISTIC } from '../micro/shapes.js';
import { nginxCommand } from './servers/nginx.js';

export type Route = '/' | '/json' | '/ip' | '/users/42' | '/users/7';

export interface Contender {
  name: string;
  label: string;
  /** Routes it serves; scenarios on other routes leave it out. */
  routes: Route[];
  /** Compiled server script (dist/bench/http/servers/*.js), or 'nginx'. */
  script: string | 'nginx';
  /** The only scenarios it runs (on its routes), when not all of them. */
  scenarios?: readonly string[];
}

const serverJs = (name: string): string => fileURLToPath(new URL(`./servers/${name}.js`, import.meta.url));
const ALL: Route[] = ['/', '/json', '/ip'];
/** The fetch-style frameworks' pairs (issue 14): their JSON route and a path parameter. */
const FETCH: Route[] = ['/', '/json', '/users/42'];
const REALISTIC_ROUTE = REALISTIC.path satisfies Route;
const HELLO_PAIR = ['keepalive-hello', 'pipeline-hello'];
/** Where the frameworks on fasterapi/node are compared (issue 16's targets). */
const JSON_PAIR = ['keepalive-json', 'pipeline-json'];

export const CONTENDERS: Contender[] = [
  // Order matters: in each scenario the servers run one after another in this order (reversed
  // every other round), and the pairs the targets compare sit next to each other, so their
  // two figures are taken seconds apart.
  { name: 'nginx', label: 'nginx', routes: ALL, script: 'nginx' },
  { name: 'fastify', label: 'fastify', routes: ALL, script: serverJs('fastify') },
  { name: 'node-http', label: 'node:http', routes: ALL, script: serverJs('node-http') },
  { name: 'fasterapi', label: 'fasterapi', routes: ALL, script: serverJs('fasterapi') },
  { name: 'fasterapi-app', label: 'fasterapi app layer', routes: ['/', '/json'], script: serverJs('fasterapi-app') },
  { name: 'hono-node', label: 'Hono (node-server)', routes: [...ALL, '/users/42'], script: serverJs('hono-node') },
  { name: 'hono-fasterapi', label: 'Hono on fasterapi (CLI)', routes: [...ALL, '/users/42'], script: serverJs('hono-fasterapi') },
  { name: 'elysia-node', label: 'Elysia (@elysiajs/node)', routes: FETCH, script: serverJs('elysia-node') },
  { name: 'elysia-fasterapi', label: 'Elysia on fasterapi (CLI)', routes: FETCH, script: serverJs('elysia-fasterapi') },
  { name: 'h3-srvx', label: 'h3 (srvx)', routes: FETCH, script: serverJs('h3-srvx') },
  { name: 'h3-fasterapi', label: 'h3 on fasterapi (CLI)', routes: FETCH, script: serverJs('h3-fasterapi') },
  { name: 'itty-node', label: 'itty-router (@whatwg-node/server)', routes: FETCH, script: serverJs('itty-node') },
  { name: 'itty-fasterapi', label: 'itty-router on fasterapi (CLI)', routes: FETCH, script: serverJs('itty-fasterapi') },
  // frameworks written for node:http, on it and on fasterapi/node (issue 16)
  // What any such layer costs at least: node:http's request objects on the bare transport, no layer.
  {
    name: 'node-floor',
    label: 'fasterapi transport + IncomingMessage and response events, no layer (floor)',
    routes: ['/json'],
    script: serverJs('node-floor'),
    scenarios: JSON_PAIR,
  },
  { name: 'node-fasterapi', label: 'node:http listener on fasterapi/node', routes: ALL, script: serverJs('node-fasterapi'), scenarios: JSON_PAIR },
  { name: 'fastify-fasterapi', label: 'fastify on fasterapi/node', routes: ALL, script: serverJs('fastify-fasterapi') },
  { name: 'express-node', label: 'Express (node:http)', routes: ['/', '/json'], script: serverJs('express-node') },
  { name: 'express-fasterapi', label: 'Express on fasterapi/node', routes: ['/', '/json'], script: serverJs('express-fasterapi') },
  { name: 'koa-node', label: 'Koa (node:http)', routes: ['/', '/json'], script: serverJs('koa-node') },
  { name: 'koa-fasterapi', label: 'Koa on fasterapi/node', routes: ['/', '/json'], script: serverJs('koa-fasterapi') },
  // The hello route on the app layer, bare and behind TrustedHost + one async middleware (issue 13).
  { name: 'fasterapi-hello', label: 'fasterapi app, hello, no middleware', routes: ['/'], script: serverJs('fasterapi-hello'), scenarios: HELLO_PAIR },
  { name: 'fasterapi-hello-mw', label: 'fasterapi app, hello + TrustedHost + async middleware', routes: ['/'], script: serverJs('fasterapi-hello-mw'), scenarios: HELLO_PAIR },
  // The realistic app (bench/micro/shapes.ts REALISTIC), one idiomatic version per framework.
  { name: 'realistic-node-http', label: 'node:http (realistic app)', routes: [REALISTIC_ROUTE], script: serverJs('realistic-node-http') },
  { name: 'realistic-fasterapi', label: 'fasterapi app (realistic app)', routes: [REALISTIC_ROUTE], script: serverJs('realistic-fasterapi') },
  { name: 'realistic-fastify', label: 'fastify (realistic app)', routes: [REALISTIC_ROUTE], script: serverJs('realistic-fastify') },
  { name: 'realistic-express', label: 'Express 5 (realistic app)', routes: [REALISTIC_ROUTE], script: serverJs('realistic-express') },
  // The ceiling: the same request through the bare transport and trust stage, no app layer.
  { name: 'realistic-transport', label: 'fasterapi transport alone (realistic request, ceiling)', routes: [REALISTIC_ROUTE], script: serverJs('realistic-transport') },
  // The floor under the app: the ceiling plus the app's own JavaScript, with no app layer of ours.
  { name: 'realistic-floor', label: 'fasterapi transport + the realistic app’s own JS, no app layer (floor)', routes: [REALISTIC_ROUTE], script: serverJs('realistic-floor') },
];

/**
 * Other builds of fasterapi in the same run, to measure a change side by side (old commit
 * vs new): FASTERAPI_COMPARE='label=/path/to/checkout,label2=/path2' adds `fasterapi@label`
 * and `fasterapi-app@label` from each checkout's dist/, next to this build's pair, and
 * likewise the hello pair and the realistic app after theirs (a checkout without their
 * server files is skipped: "not built").
 */
for (const entry of (process.env.FASTERAPI_COMPARE ?? '').split(',').filter((e) => e.includes('='))) {
  const [tag, dir] = entry.split('=', 2) as [string, string];
  const at = CONTENDERS.findIndex((c) => c.name === 'fasterapi-app') + 1;
  const js = (name: string): string => `${dir.replace(/\/$/, '')}/dist/bench/http/servers/${name}.js`;
  CONTENDERS.splice(
    at,
    0,
    { name: `fasterapi@${tag}`, label: `fasterapi @ ${tag}`, routes: ALL, script: js('fasterapi') },
    { name: `fasterapi-app@${tag}`, label: `fasterapi app layer @ ${tag}`, routes: ['/', '/json'], script: js('fasterapi-app') },
  );
  for (const name of ['fasterapi-hello-mw', 'realistic-fasterapi']) {
    const i = CONTENDERS.findIndex((c) => c.name === name);
    const c = CONTENDERS[i]!;
    const pair = name === 'fasterapi-hello-mw' ? [CONTENDERS[i - 1]!, c] : [c];
    CONTENDERS.splice(i + 1, 0, ...pair.map((p) => ({ ...p, name: `${p.name}@${tag}`, label: `${p.label} @ ${tag}`, script: js(p.name) })));
  }
}

export const BASELINE = 'node-http';
/** The node:http contender a scenario's ratios are taken to: the realistic app's own for its route. */
export const baselineFor = (route: Route): string => (route === REALISTIC_ROUTE ? 'realistic-node-http' : BASELINE);
const CLUSTER_JS = serverJs('cluster');
export const HOST = '127.0.0.1';

/** The behind-proxy request of the /ip route (127.0.0.1 is the trusted proxy). */
export const PROXY_HEADERS: Record<string, string> = {
  'X-Forwarded-For': '203.0.113.7, 10.0.0.2',
  'X-Forwarded-Proto': 'https',
  'X-Forwarded-Host': 'example.com',
};

interface Expected {
  status: number;
  body: string;
  type: string;
  /** A header every server must add, and the form of its value; with it, the media type must match too. */
  header?: readonly [string, RegExp];
}

const EXPECTED: Record<Route, Expected> = {
  '/': { status: 200, body: 'Hello, World!', type: 'text/plain' },
  '/json': { status: 200, body: '{"message":"Hello, World!"}', type: 'application/json' },
  '/ip': { status: 200, body: '{"ip":"203.0.113.7"}', type: 'application/json' },
  '/users/42': { status: 200, body: '{"id":"42"}', type: 'application/json' },
  [REALISTIC_ROUTE]: {
    status: 200,
    body: REALISTIC.body,
    type: 'application/json',
    header: ['x-request-id', /^\d+$/],
  },
};

/** The realistic request's header fields (Host, browser fields, X-Forwarded-*), as the load generator sends them. */
const REALISTIC_HEADERS: Record<string, string> = Object.fromEntries(REALISTIC.fields);

export const headersFor = (route: Route): Record<string, string> => (route === '/ip' ? PROXY_HEADERS : route === REALISTIC_ROUTE ? REALISTIC_HEADERS : {});

export interface RunningServer {
  pid: number;
  port: number;
  startS: number;
  alive(): boolean;
  /** Last lines the server wrote on stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  cpus: string | null;
  nofile: number | null;
  /** Run the script under the node:cluster wrapper with this many workers. */
  workers?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, HOST);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The first error line of a crashed Node process's stderr (or its last line). */
export function errorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.find((l) => /^(\w*Error\b|Error \[|\[emerg\]|.*\[emerg\])/.test(l)) ?? lines.at(-1) ?? 'no output';
}

export class StartError extends Error {}

/** Starts a contender and resolves once it accepts connections (and, under cluster, all workers listen). */
export async function startServer(c: Contender, opts: StartOptions, timeoutMs = 15_000): Promise<RunningServer> {
  if (c.script === 'nginx') {
    if (which('nginx') === null) throw new StartError('nginx not on PATH (Debian package `nginx`)');
  } else if (!existsSync(c.script)) {
    throw new StartError(`not built: ${c.script} is missing (run npm run build)`);
  }
  const port = await freePort();
  const t0 = performance.now();
  let child: ChildProcess;
  let cleanup = (): void => {};
  const env = { ...process.env, PORT: String(port), HOST, NODE_ENV: 'production', WORKERS: String(opts.workers ?? 1) };
  if (c.script === 'nginx') {
    const cmd = nginxCommand(port, HOST);
    cleanup = cmd.cleanup;
    child = spawnTracked(cmd.command, cmd.args, { cpus: opts.cpus, nofile: opts.nofile, env });
  } else {
    const args = opts.workers === undefined ? [c.script] : [CLUSTER_JS, c.script];
    child = spawnTracked(process.execPath, args, { cpus: opts.cpus, nofile: opts.nofile, env });
  }
  const stderr = tail(child.stderr);
  const stdout = tail(child.stdout);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    cleanup();
  };
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = performance.now() + timeoutMs;
  while (true) {
    if (exited) {
      cleanup();
      throw new StartError(`failed to load: ${errorLine(stderr() + stdout())}`);
    }
    const ready = (opts.workers === undefined || /^READY$/m.test(stdout())) && (await canConnect(port));
    if (ready && !exited) break;
    if (performance.now() > deadline) {
      await stop();
      throw new StartError(`not listening on ${HOST}:${port} after ${timeoutMs / 1000} s${stderr() ? `: ${errorLine(stderr())}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: child.pid!, port, startS: (performance.now() - t0) / 1000, alive: () => !exited, stderr, stop };
}

function get(port: number, route: Route): Promise<{ status: number; type: string; body: string; headers: http.IncomingHttpHeaders }> {
  // One request on a connection of its own: the check's client closes it (the load generator keeps it alive).
  const { Connection: _, ...headers } = headersFor(route);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path: route, headers, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/**
 * Routes answered differently (status + body must match; where a header is expected, it and
 * the media type too: charset parameters aside, as JSON has none); otherwise a different
 * content-type family is a warning.
 */
export async function checkAnswers(c: Contender, port: number): Promise<{ wrong: Map<Route, string>; warnings: string[] }> {
  const wrong = new Map<Route, string>();
  const warnings: string[] = [];
  for (const route of c.routes) {
    const want = EXPECTED[route];
    try {
      const got = await get(port, route);
      const mediaType = got.type.split(';')[0]!.trim().toLowerCase();
      const added = want.header === undefined ? undefined : got.headers[want.header[0]];
      if (got.status !== want.status || got.body !== want.body) {
        wrong.set(route, `GET ${route}: expected ${want.status} ${want.body}, got ${got.status} ${got.body.slice(0, 120)}`);
      } else if (want.header !== undefined && (typeof added !== 'string' || !want.header[1].test(added))) {
        wrong.set(route, `GET ${route}: expected a ${want.header[0]} header matching ${want.header[1]}, got ${added === undefined ? 'none' : JSON.stringify(added)}`);
      } else if (want.header !== undefined && mediaType !== want.type) {
        wrong.set(route, `GET ${route}: expected content-type ${want.type}, got ${got.type || '(none)'}`);
      } else if (!got.type.startsWith(want.type)) {
        warnings.push(`GET ${route}: content-type ${got.type || '(none)'} (others send ${want.type})`);
      }
    } catch (err) {
      wrong.set(route, `GET ${route}: ${(err as Error).message}`);
    }
  }
  return { wrong, warnings };
}
