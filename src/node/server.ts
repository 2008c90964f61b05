// createServer(): node:http's signature and the part of http.Server frameworks use, with
// the transport underneath. The transport's Server is made at listen(), so the timeout
// properties set after createServer() (as Express and Fastify users do) are the ones used.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type CreateServerOptions, createServer as createTransport } from '../create.js';
import type { Server } from '../server/server.js';
import type { Receive, Scope, Send } from '../types.js';
import { type NodeTarget, type RequestListener, serveRequest } from './app.js';

export interface NodeServerOptions extends CreateServerOptions {
  joinDuplicateHeaders?: boolean;
  keepAliveTimeout?: number;
  /** Accepted for node:http's signature; the classes are node:http's own (see docs/node-compat.md). */
  IncomingMessage?: unknown;
  ServerResponse?: unknown;
}

/** Node has no body limit of its own (frameworks set theirs): the transport's 1 MiB default is lifted. */
/**
 * The transport options a node:http-style app is served with, here and by the CLI: no body
 * limit (frameworks apply their own) and node:http's httpAllowHalfOpen default, a FIN aborts
 * the requests in flight.
 */
export const NODE_TRANSPORT_OPTIONS: Readonly<{ maxBodySize: number; allowHalfOpen: boolean }> = Object.freeze({
  maxBodySize: Number.MAX_SAFE_INTEGER,
  allowHalfOpen: false,
});

export class NodeServer extends EventEmitter implements NodeTarget {
  /** node:http's defaults; read at listen(). */
  keepAliveTimeout = 5_000;
  headersTimeout = 60_000;
  requestTimeout = 300_000;
  timeout = 0;
  maxHeadersCount: number | null = null;
  maxRequestsPerSocket = 0;
  readonly joinDuplicateHeaders: boolean;
  dualStack = false;
  /** The transport server while listening (its options, connections and core). */
  transport: Server | null = null;
  readonly server: EventEmitter = this;
  private readonly options: NodeServerOptions;
  /** Upgrade requests accepted for the 'upgrade' event, until the transport hands the socket over. */
  private readonly upgrades = new Map<Scope, IncomingMessage>();

  constructor(options: NodeServerOptions = {}, listener?: RequestListener) {
    super();
    this.options = options;
    this.joinDuplicateHeaders = options.joinDuplicateHeaders === true;
    if (options.keepAliveTimeout !== undefined) this.keepAliveTimeout = options.keepAliveTimeout;
    if (options.headersTimeout !== undefined) this.headersTimeout = options.headersTimeout;
    if (options.requestTimeout !== undefined) this.requestTimeout = options.requestTimeout;
    if (listener !== undefined) this.on('request', listener);
  }

  get listening(): boolean {
    return this.transport?.net.listening === true;
  }

  /**
   * net.Server's handle while listening, else null. supertest closes the server it started
   * only when `_handle` is set: without it, Express's own suite left every server listening
   * and mocha never exited.
   */
  get _handle(): unknown {
    return (this.transport?.net as { _handle?: unknown } | undefined)?._handle ?? null;
  }

  dispatch(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    if (expectContinue && this.listenerCount('checkContinue') > 0) this.emit('checkContinue', req, res);
    else this.emit('request', req, res);
  }

  /** The transport's App: upgrades go to 'upgrade' when someone listens (else they are plain requests, as on node:http). */
  private readonly app = (scope: Scope, receive: Receive, send: Send): void | Promise<void> => {
    if (scope.type === 'websocket' && this.listenerCount('upgrade') > 0) {
      this.upgrades.set(scope, upgradeRequest(this, scope, receive, send));
      return send({ type: 'websocket.accept' });
    }
    return serveRequest(this, scope, receive, send);
  };

  private readonly onUpgrade = (scope: Scope, socket: Socket, head: Buffer): void => {
    const req = this.upgrades.get(scope);
    this.upgrades.delete(scope);
    if (req === undefined) {
      socket.destroy();
      return;
    }
    req.socket = socket;
    this.emit('upgrade', req, socket, head);
    // node:http's upgraded socket is not paused: who listens for 'data' now gets it (ws does)
    if (socket.isPaused() && socket.listenerCount('data') > 0) socket.resume();
  };

  /** listen(port?, host?, backlog?, cb?) or listen(options, cb), as net.Server; binds synchronously for an IP host. */
  listen(...args: unknown[]): this {
    if (this.transport !== null) throw Object.assign(new Error('Listen method has been called more than once without closing.'), { code: 'ERR_SERVER_ALREADY_LISTEN' });
    const o = this.options;
    const srv = createTransport(this.app, {
      ...NODE_TRANSPORT_OPTIONS,
      ...o,
      keepAliveTimeout: this.keepAliveTimeout,
      headersTimeout: this.headersTimeout,
      requestTimeout: this.requestTimeout,
      maxRequestsPerSocket: this.maxRequestsPerSocket ?? 0,
      onUpgrade: this.onUpgrade,
    });
    this.transport = srv;
    const net = srv.net;
    net.on('connection', (s: Socket) => this.emit('connection', s));
    net.on('error', (err: Error) => this.emit('error', err));
    net.once('listening', () => {
      const a = net.address();
      this.dualStack = a !== null && typeof a === 'object' && a.family === 'IPv6';
      srv.core.start();
      this.emit('listening');
    });
    let cb: unknown = args.length > 0 ? args[args.length - 1] : undefined;
    if (typeof cb === 'function') args.pop();
    else cb = undefined;
    if (cb !== undefined) this.once('listening', cb as () => void);
    // As node:http: no host means every interface ('::' dual stack), which also binds at
    // once, so address() works right after listen(0) (supertest relies on it). A host name
    // is looked up first, as net.Server does.
    net.listen(...(args as Parameters<typeof net.listen>));
    return this;
  }

  address(): AddressInfo | string | null {
    return this.transport === null ? null : this.transport.net.address();
  }

  /** Stops accepting, lets in-flight responses end, closes idle connections (node:http ≥ 19 does the same). */
  close(cb?: (err?: Error) => void): this {
    const srv = this.transport;
    if (srv === null) {
      if (cb !== undefined) process.nextTick(cb, Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' }));
      return this;
    }
    this.transport = null;
    srv.close().then(() => {
      this.emit('close');
      if (cb !== undefined) cb();
    });
    return this;
  }

  closeIdleConnections(): void {
    const srv = this.transport;
    if (srv === null) return;
    for (const conn of srv.core.connections) if (conn.first === null && conn.parsing === null) conn.closeIdle();
  }

  closeAllConnections(): void {
    const srv = this.transport;
    if (srv === null) return;
    for (const conn of srv.core.connections) conn.abort();
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.timeout = ms;
    if (cb !== undefined) this.on('timeout', cb);
    return this;
  }

  ref(): this {
    this.transport?.net.ref();
    return this;
  }

  unref(): this {
    this.transport?.net.unref();
    return this;
  }

  get connections(): number {
    return this.transport?.connections ?? 0;
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(cb, null, this.connections);
    return this;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return new Promise((resolve) => this.close(() => resolve()));
  }
}

/** The upgrade's req: made now, its socket replaced by the real one at the hand-over. */
function upgradeRequest(server: NodeServer, scope: Scope, receive: Receive, send: Send): IncomingMessage {
  let req: IncomingMessage | null = null;
  serveRequest(
    {
      server,
      joinDuplicateHeaders: server.joinDuplicateHeaders,
      dualStack: server.dualStack,
      dispatch: (r) => {
        req = r;
      },
    },
    scope,
    receive,
    send,
  );
  return req!;
}

/** node:http's createServer([options], requestListener) on the transport. */
export function createServer(options?: NodeServerOptions | RequestListener, listener?: RequestListener): NodeServer {
  if (typeof options === 'function') return new NodeServer({}, options);
  return new NodeServer(options ?? {}, listener);
}
