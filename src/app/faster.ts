// Faster: routes, middlewares and the server around them.
//
// Per request (the path the 90%-of-bare-transport target is measured on): the
// middleware chain (bound dispatch functions, folded once), then one router lookup
// (two Map gets for a static route), one Request object, the handler, and one
// send(status, head, body) with a header block encoded at start-up. No closures,
// no regex, no spread.
import { createServer } from '../create.js';
import type { CreateServerOptions } from '../create.js';
import { encodeHeaders } from '../server/response-head.js';
import { routePath } from '../scope/route-path.js';
import { consoleLogger } from '../server/logger.js';
import type { Server } from '../server/server.js';
import type { ListenOptions as ServerListenOptions } from '../server/listen.js';
import type { TrustOptions } from '../trust/options.js';
import type { App, EncodedHeaders, LifespanMessage, Logger, Receive, Scope, Send } from '../types.js';
import { HANDLES_LIFESPAN } from '../server/lifespan.js';
import { composeMiddleware, type MiddlewareClass, type MiddlewareEntry } from '../middleware/base.js';
import { reply, fail } from './reply.js';
import { Request } from './request.js';
import { bufferedBodyCap } from '../server/options.js';
import { HEAD } from './response.js';
import { Router, type Route } from './router.js';
import { respond } from '../server/respond.js';
import { serveWebSocket, type WebSocketHandler } from './websocket.js';

/** A route handler: gets the Request, returns the response value (see reply.ts). */
export type Handler = (request: Request) => unknown;

/**
 * Server options: the transport's limits and hooks plus the trust stage's
 * (trustedProxies, proxyHeaders, rootPath, proxyProtocol, forwardedHeaders),
 * passed through to createServer() unchanged.
 */
export interface FasterOptions extends CreateServerOptions, TrustOptions {
  /** Largest body request.body()/text()/json() buffer; past it they reject with a 413. Default 64 MiB. */
  maxBufferedBodySize?: number;
}

/** Server options plus where to listen (server/listen.ts): port and host, a unix socket path, or an fd. */
export interface ListenOptions extends FasterOptions, ServerListenOptions {}

const NOT_FOUND = '{"detail":"Not Found"}';
const METHOD_NOT_ALLOWED = '{"detail":"Method Not Allowed"}';

export class Faster {
  /** Server options given to the constructor; listen() adds its own on top. */
  readonly serverOptions: FasterOptions;
  readonly logger: Logger;
  private readonly router = new Router<Handler>();
  private readonly sockets = new Router<WebSocketHandler>();
  private readonly middleware: MiddlewareEntry[] = [];
  private composed: App | null = null;
  private readonly startupHooks: (() => unknown)[] = [];
  private readonly shutdownHooks: (() => unknown)[] = [];
  /** The innermost app: routing and the handler. Bound once. */
  private readonly endpoint: App;

  private readonly bodyCap: number;

  constructor(options: FasterOptions = {}) {
    this.serverOptions = options;
    this.bodyCap = bufferedBodyCap(options.maxBufferedBodySize);
    this.logger = options.logger ?? consoleLogger();
    this.endpoint = (scope, receive, send) => this.handle(scope, receive, send);
  }

  get(path: string, handler: Handler): this {
    return this.route('GET', path, handler);
  }
  post(path: string, handler: Handler): this {
    return this.route('POST', path, handler);
  }
  put(path: string, handler: Handler): this {
    return this.route('PUT', path, handler);
  }
  patch(path: string, handler: Handler): this {
    return this.route('PATCH', path, handler);
  }
  delete(path: string, handler: Handler): this {
    return this.route('DELETE', path, handler);
  }
  head(path: string, handler: Handler): this {
    return this.route('HEAD', path, handler);
  }
  options(path: string, handler: Handler): this {
    return this.route('OPTIONS', path, handler);
  }

  /**
   * Adds a route. `path` is matched against the decoded request path (without the
   * root path): exact text, ':name' for one segment, a final '*' for the rest.
   * HEAD requests fall back to the GET route (the transport drops the body).
   */
  route(method: string, path: string, handler: Handler): this {
    if (typeof handler !== 'function') throw new TypeError(`Handler for ${method} ${path} must be a function`);
    if (typeof method !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) {
      throw new TypeError(`Invalid method ${JSON.stringify(method)}`);
    }
    this.router.add(method.toUpperCase(), path, handler);
    return this;
  }

  /**
   * Adds a middleware class: constructed once, `new Class(next, options)`, when the
   * app starts; the last one added runs first. See BaseHTTPMiddleware.
   */
  /** A websocket route: `handler` gets a WebSocket (app/websocket.ts). Upgrades to other paths get 404. */
  websocket(path: string, handler: WebSocketHandler): this {
    this.sockets.add('GET', path, handler);
    return this;
  }

  addMiddleware<O>(cls: MiddlewareClass<O>, options?: O): this {
    if (this.composed !== null) throw new Error('addMiddleware() must be called before the app starts serving');
    if (typeof cls !== 'function') throw new TypeError('addMiddleware() needs a middleware class');
    this.middleware.push({ cls, options });
    return this;
  }

  /**
   * Runs `fn` (awaited) before the server accepts connections, after the ones added
   * before it. A throw or rejection stops the start: the CLI prints one line and exits 2,
   * listen() rejects. (ASGI lifespan.startup; Starlette's on_startup.)
   */
  onStartup(fn: () => unknown): this {
    if (typeof fn !== 'function') throw new TypeError('onStartup() needs a function');
    this.startupHooks.push(fn);
    return this;
  }

  /** Runs `fn` (awaited) at shutdown, after the last in-flight request; failures are logged. */
  onShutdown(fn: () => unknown): this {
    if (typeof fn !== 'function') throw new TypeError('onShutdown() needs a function');
    this.shutdownHooks.push(fn);
    return this;
  }

  /**
   * The whole app as one ASGI-style function (scope, receive, send): the middleware
   * chain around the router. Composed on first read, then fixed. It handles 'lifespan'
   * scopes (the startup and shutdown hooks), which it says with HANDLES_LIFESPAN.
   */
  get asgi(): App {
    if (this.composed === null) {
      const app = composeMiddleware(this.endpoint, this.middleware);
      (app as App & { [HANDLES_LIFESPAN]?: boolean })[HANDLES_LIFESPAN] = true;
      this.composed = app;
    }
    return this.composed;
  }

  /** Starts a server on the fasterapi transport; resolves once it listens. */
  async listen(options: ListenOptions = {}): Promise<Server> {
    const { port, host, path, mode, fd, backlog, ...serverOptions } = options;
    const server = createServer(this.asgi, { logger: this.logger, ...this.serverOptions, ...serverOptions } as CreateServerOptions);
    return server.listen({ port, host, path, mode, fd, backlog });
  }

  private handle(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    if (scope.type !== 'http') {
      if (scope.type === 'lifespan') return this.lifespan(receive, send);
      const route = scope.type === 'websocket' ? this.sockets.find('GET', routePath(scope)) : null;
      return route === null ? this.miss(scope, send) : serveWebSocket(route, scope, receive, send, routePath(scope), this.logger);
    }
    const method = scope.method;
    const path = routePath(scope);
    let route = this.router.find(method, path);
    if (route === null) {
      if (method === 'HEAD') route = this.router.find('GET', path);
      if (route === null) return this.miss(scope, send);
    }
    const request = new Request(scope, receive, route as Route<unknown>, path, this.bodyCap);
    let result: unknown;
    try {
      result = route.handler(request);
    } catch (err) {
      return fail(send, err, this.logger, scope);
    }
    if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
      return this.settle(result as Promise<unknown>, scope, send);
    }
    return reply(send, result, this.logger, scope);
  }

  private async settle(pending: Promise<unknown>, scope: Scope, send: Send): Promise<void> {
    let value: unknown;
    try {
      value = await pending;
    } catch (err) {
      return fail(send, err, this.logger, scope);
    }
    return reply(send, value, this.logger, scope);
  }

  /** ASGI lifespan: the hooks in the order they were added, each awaited. */
  private async lifespan(receive: Receive, send: Send): Promise<void> {
    for (;;) {
      const { type } = (await receive()) as unknown as LifespanMessage;
      const startup = type === 'lifespan.startup';
      try {
        for (const fn of startup ? this.startupHooks : this.shutdownHooks) await fn();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await send({ type: startup ? 'lifespan.startup.failed' : 'lifespan.shutdown.failed', message });
        return;
      }
      await send({ type: startup ? 'lifespan.startup.complete' : 'lifespan.shutdown.complete' });
      if (!startup) return;
    }
  }

  /** 404, or 405 with Allow when another method has the path. Slow path. */
  private miss(scope: Scope, send: Send): void | Promise<void> {
    const allowed = scope.type === 'http' ? this.router.allowed(routePath(scope)) : [];
    if (allowed.length === 0) return respond(send, 404, HEAD.JSON, NOT_FOUND);
    if (allowed.includes('GET') && !allowed.includes('HEAD')) allowed.push('HEAD');
    return respond(send, 405, allowHead(allowed.join(', ')), METHOD_NOT_ALLOWED);
  }
}

const allowHeads = new Map<string, EncodedHeaders>();
function allowHead(allow: string): EncodedHeaders {
  let h = allowHeads.get(allow);
  if (h === undefined) {
    h = encodeHeaders({ 'content-type': 'application/json', allow });
    if (allowHeads.size < 256) allowHeads.set(allow, h);
  }
  return h;
}
