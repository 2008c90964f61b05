// Server: a node:net (or node:tls) server whose connections go straight to the transport.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { App } from '../types.js';
import { ServerCore, type TrustStage } from './core.js';
import { bind, type ListenOptions } from './listen.js';
import type { TransportOptions } from './options.js';

export type { ListenOptions };

export interface ServerOptions extends TransportOptions {
  /** Built from the trust options by the public createServer (src/index.ts); null disables the stage. */
  trustStage?: TrustStage | null;
  proxyProtocol?: boolean;
  /**
   * Serve HTTPS: node:tls options (key, cert, passphrase, ca …). The scheme of every
   * request is then https (wss), from the socket itself; the trust stage, limits and
   * timeouts are the same as for plain connections.
   */
  tls?: tls.TlsOptions | null;
}

/**
 * Emits 'listening' once listen() is done, 'close' once close() is, and 'error' for a
 * server socket error after listening (logged instead when nobody listens for it).
 */
export class Server extends EventEmitter {
  readonly core: ServerCore;
  readonly net: net.Server;
  readonly secure: boolean;
  private closing: Promise<void> | null = null;
  /** The listen() in progress (settled, never rejecting), for a close() that comes first. */
  private starting: Promise<unknown> | null = null;

  constructor(app: App, options: ServerOptions = {}) {
    super();
    if (typeof app !== 'function') throw new TypeError('app must be a function (scope, receive, send)');
    this.core = new ServerCore(app, options, options.trustStage ?? null, options.proxyProtocol === true);
    const core = this.core;
    this.secure = options.tls != null;
    if (options.tls != null) {
      // The handshake gets the time a head gets (node:tls would wait 120 s).
      const t = { handshakeTimeout: options.headersTimeout ?? 60_000, ...options.tls, allowHalfOpen: true, noDelay: true };
      this.net = tls.createServer(t, (socket) => core.accept(socket));
      this.net.on('tlsClientError', (_err, socket) => socket.destroy());
    } else {
      // allowHalfOpen: a client that sends FIN after its request still gets the response.
      this.net = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => core.accept(socket));
    }
  }

  /**
   * Runs the app's lifespan startup (lifespan.ts), then listens; resolves with this
   * server once listening: `listen(port, host, backlog)` or
   * `listen({ port, host } | { path, mode } | { fd }, backlog)`. Defaults 127.0.0.1:8000;
   * port 0 picks a free port (see address() and url). A failed startup rejects with a
   * LifespanError and nothing listens.
   */
  listen(port: number | ListenOptions = 8000, host = '127.0.0.1', backlog?: number): Promise<this> {
    const o: ListenOptions = typeof port === 'object' ? { ...port } : { port, host };
    if (backlog !== undefined) o.backlog = backlog;
    const started = this.start(o);
    this.starting = started.catch(ignore);
    return started;
  }

  /**
   * A close() that comes while this runs wins, as node:http's close() of a listen in
   * progress: nothing is bound after it, or what was bound is closed by it, and
   * 'listening' is not emitted; listen() still resolves.
   */
  private async start(o: ListenOptions): Promise<this> {
    await this.core.lifespan.startup();
    if (this.closing !== null) return this;
    await bind(this.net, o);
    this.net.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
      else this.core.logError('server socket error', err);
    });
    if (this.closing !== null) return this;
    this.core.start();
    this.emit('listening');
    return this;
  }

  /** The bound address: { address, family, port } for TCP, the path for a unix socket. */
  address(): AddressInfo {
    return this.net.address() as AddressInfo;
  }

  /** 'http://127.0.0.1:8000', 'https://[::1]:8443', or 'unix:/run/app.sock' (null before listen()). */
  get url(): string | null {
    const a = this.net.address();
    if (a === null) return null;
    if (typeof a === 'string') return `unix:${a}`;
    const host = a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]` : a.address;
    return `${this.secure ? 'https' : 'http'}://${host}:${a.port}`;
  }

  /**
   * Stops accepting, lets in-flight requests finish (for at most timeoutGracefulShutdown),
   * closes idle keep-alive connections, then runs the app's lifespan shutdown.
   */
  close(callback?: (err?: Error) => void): Promise<void> {
    const closing = this.closeOnce();
    // node:http's close(callback) spelling, for code written against it (@hono/node-server).
    if (callback !== undefined) closing.then(() => callback(), callback);
    return closing;
  }

  /** True from the first close() on (listen() then binds nothing more). */
  get closeCalled(): boolean {
    return this.closing !== null;
  }

  private closeOnce(): Promise<void> {
    if (this.closing !== null) return this.closing;
    // Called during listen(): once that has settled, whatever it bound is closed here.
    const stopped = Promise.resolve(this.starting).then(
      () =>
        new Promise<void>((resolve) => {
          if (!this.net.listening) resolve();
          else this.net.close(() => resolve());
        }),
    );
    this.closing = Promise.all([stopped, this.core.shutdown()])
      .then(() => this.core.lifespan.shutdown())
      .then(() => {
        this.core.stop();
        this.emit('close');
      });
    return this.closing;
  }

  /** Connections currently open, upgraded ones (websockets) included. */
  get connections(): number {
    return this.core.connections.size + this.core.upgraded;
  }
}

function ignore(): void {}
