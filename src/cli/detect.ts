// What kind of app an export is (Faster, fetch-style, ASGI function, node:http-style), and the App that serves it.
import type { App } from '../types.js';
import type { FasterOptions } from '../app/faster.js';
import { UsageError } from './args.js';

/** What the CLI serves: the ASGI app and any server options the app object carries. */
export interface DetectedApp {
  app: App;
  options: FasterOptions;
  /** What was detected, for the start-up line: 'faster', 'fetch (Hono)', 'asgi', 'node (Express)', … */
  kind: string;
  /**
   * Called once the app listens, with a graceful close of that server (SIGTERM's; `force`
   * drops open connections): an Elysia app's `app.stop()` calls it.
   */
  served?: (close: (force: boolean) => Promise<void>) => void;
}

/** `--interface`: 'auto' detects; the others say what the export is. */
export type AppInterface = 'auto' | 'faster' | 'fetch' | 'asgi' | 'node';

type Loose = Record<string | symbol, unknown>;
type FetchTarget = { fetch: (...a: unknown[]) => unknown };
type NodeListener = (req: unknown, res: unknown) => void;

/**
 * The App for an export. In this order (auto):
 * - an object or function with a `fetch` method is a fetch-style app (Hono, Elysia, h3,
 *   itty-router), whatever else it answers;
 * - a Faster app has `asgi` as a real property (a getter on its class), on an object that
 *   does not answer every property: itty-router's router is a Proxy that returns a
 *   function for any name, `asgi` included;
 * - an Express/connect app (a function with `handle` and `use`), a Koa app (`callback`
 *   and `use`), a polka app (`handler`) or a bare `(req, res)` function is node:http-style;
 * - any other function is an ASGI app `(scope, receive, send)`.
 */
export async function adapt(value: unknown, what: string, hint: AppInterface = 'auto'): Promise<DetectedApp> {
  const isObject = value !== null && typeof value === 'object';
  const isFunction = typeof value === 'function';
  if (!isObject && !isFunction) throw notAnApp(what);
  const v = value as Loose;
  const answersAll = answersEverything(v);

  if ((hint === 'auto' || hint === 'fetch') && typeof v.fetch === 'function') {
    // itty-router's router is a Proxy over an object with a real `routes` list.
    const name = answersAll ? (Array.isArray(v.routes) ? 'itty-router' : null) : className(v);
    return { ...(await fetchApp(v as FetchTarget, what, name)), options: {}, kind: name === null ? 'fetch' : `fetch (${name})` };
  }
  if (hint === 'fetch') throw new UsageError(`${what} has no fetch() method (--interface fetch)`);

  if ((hint === 'auto' || hint === 'faster') && isObject && !answersAll && typeof v.asgi === 'function' && hasRealProperty(v, 'asgi')) {
    const options = (v.serverOptions !== null && typeof v.serverOptions === 'object' ? v.serverOptions : {}) as FasterOptions;
    return { app: v.asgi as App, options, kind: 'faster' };
  }
  if (hint === 'faster') throw new UsageError(`${what} is not a Faster app (--interface faster)`);

  // A Proxy that makes up every name would pass for Koa (callback, use) or polka (handler).
  if ((hint === 'auto' && !answersAll) || hint === 'node') {
    const node = nodeListener(v, isFunction, hint === 'node');
    if (node !== null) return { ...(await nodeApp(node.listener, what, node.name)), kind: `node (${node.name})` };
  }
  if (hint === 'node') throw new UsageError(`${what} is not a node:http-style app (--interface node): expected a (req, res) function or an Express, Koa or polka app`);

  if (isFunction) return { app: value as App, options: {}, kind: 'asgi' };
  throw notAnApp(what);
}

function notAnApp(what: string): UsageError {
  return new UsageError(
    `${what} is not an app: expected a Faster app, an object with a fetch() method, a function (scope, receive, send), or a node:http-style app ((req, res), Express, Koa, polka)`,
  );
}

/** A Proxy that makes up a value for any name (itty-router's router) answers this one too. */
function answersEverything(v: Loose): boolean {
  return v[`__fasterapi_probe_${Math.random().toString(36).slice(2)}`] !== undefined;
}

/** `name` defined on the object or its prototype chain (a Proxy's made-up answers are not). */
function hasRealProperty(v: object, name: string): boolean {
  for (let o: object | null = v; o !== null; o = Object.getPrototypeOf(o)) {
    if (Object.getOwnPropertyDescriptor(o, name) !== undefined) return true;
  }
  return false;
}

/** The class an app object was made by (bundlers' leading `_` dropped: Elysia's is `_Elysia`), unless plain. */
function className(v: Loose): string | null {
  const raw = (v.constructor as { name?: unknown } | undefined)?.name;
  const name = typeof raw === 'string' ? raw.replace(/^_+/, '') : '';
  return name !== '' && name !== 'Object' && name !== 'Function' ? name : null;
}

/** The (req, res) listener of a node:http-style app and what it is, or null. */
function nodeListener(v: Loose, isFunction: boolean, told: boolean): { listener: NodeListener; name: string } | null {
  if (isFunction && typeof v.handle === 'function' && typeof v.use === 'function') return { listener: v as unknown as NodeListener, name: 'Express' };
  if (typeof v.callback === 'function' && typeof v.use === 'function') {
    return { listener: (v.callback as () => NodeListener).call(v), name: 'Koa' };
  }
  if (!isFunction && typeof v.handler === 'function') return { listener: v.handler as NodeListener, name: 'polka' };
  // An ASGI app declares three parameters or is async; a bare two-parameter function is (req, res).
  if (isFunction && (told || ((v as unknown as NodeListener).length === 2 && !isAsync(v)))) return { listener: v as unknown as NodeListener, name: '(req, res)' };
  return null;
}

function isAsync(f: unknown): boolean {
  return (f as { constructor?: { name?: string } }).constructor?.name === 'AsyncFunction';
}

/** The node:http layer is loaded only when needed (and may not be built yet); the app is served with its transport options, as its createServer() does. */
async function nodeApp(listener: NodeListener, what: string, name: string): Promise<Pick<DetectedApp, 'app' | 'options'>> {
  const spec = '../node/index.js';
  const layer = (await import(spec).catch(() => null)) as { createNodeApp?: (listener: NodeListener) => App; NODE_TRANSPORT_OPTIONS?: FasterOptions } | null;
  if (layer === null || typeof layer.createNodeApp !== 'function') {
    throw new UsageError(`${what} is a node:http-style app (${name}); this build of fasterapi has no node:http layer to serve it`);
  }
  return { app: layer.createNodeApp(listener), options: { ...layer.NODE_TRANSPORT_OPTIONS } };
}

/** The fetch adapter is loaded only when needed (and may not be built yet). */
async function fetchApp(target: FetchTarget, what: string, name: string | null): Promise<Pick<DetectedApp, 'app' | 'served'>> {
  const spec = '../fetch/index.js';
  let adapter: {
    createFetchHandler?: (fetch: (...a: unknown[]) => unknown, options?: { defaultContentType?: string | null }) => App;
    attachServerInfo?: (app: object) => { closer: ((force: boolean) => Promise<void>) | null } | null;
  };
  try {
    adapter = (await import(spec)) as typeof adapter;
  } catch (err) {
    throw new UsageError(`${what} is a fetch-style app, but the fetch adapter could not be loaded: ${firstLine(err)}`);
  }
  if (typeof adapter.createFetchHandler !== 'function') {
    throw new UsageError(`${what} is a fetch-style app, but the fetch adapter has no createFetchHandler()`);
  }
  // Elysia asks its `server` for the client address (server.requestIP(request)), and
  // app.stop() calls server.stop().
  const info = name === 'Elysia' ? (adapter.attachServerInfo?.(target) ?? null) : null;
  // Bound through a wrapper: Hono's fetch is a bound field, other apps' may be a method.
  // Two fixed parameters (request, env), not rest/spread: the adapter passes exactly these.
  const fetch = (request: unknown, env: unknown): unknown => target.fetch(request, env);
  // Answer as the framework's own Node server does: @hono/node-server labels an untyped
  // body text/plain; srvx (h3's, Elysia's through @elysiajs/node), @whatwg-node/server
  // (itty-router's) and node:http label nothing.
  const app = adapter.createFetchHandler(fetch, name === 'Hono' ? {} : { defaultContentType: null });
  if (info === null) return { app };
  return {
    app,
    served: (close) => {
      info.closer = close;
    },
  };
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = message.split('\n')[0].trim();
  return line.length > 0 ? line : err instanceof Error ? err.name : 'unknown error';
}
