// createServer(): a node:net server whose connections go straight to the transport.
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { App } from '../types.js';
import { ServerCore, type TrustStage } from './core.js';
import type { TransportOptions } from './options.js';

export interface ServerOptions extends TransportOptions {
  /** Built from the trust options by the public createServer (src/index.ts); null disables the stage. */
  trustStage?: TrustStage | null;
  proxyProtocol?: boolean;
}

export class Server {
  readonly core: ServerCore;
  readonly net: net.Server;
  private closing: Promise<void> | null = null;

  constructor(app: App, options: ServerOptions = {}) {
    if (typeof app !== 'function') throw new TypeError('app must be a function (scope, receive, send)');
    this.core = new ServerCore(app, options, options.trustStage ?? null, options.proxyProtocol === true);
    const core = this.core;
    // allowHalfOpen: a client that sends FIN after its request still gets the response.
    this.net = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => core.accept(socket));
  }

  /**
   * Runs the app's lifespan startup (lifespan.ts), then listens; resolves once listening.
   * `port` 0 picks a free port (see address()). A failed startup rejects with a
   * LifespanError and nothing listens.
   */
  async listen(port = 8000, host = '127.0.0.1', backlog = 511): Promise<this> {
    await this.core.lifespan.startup();
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.net.once('error', onError);
      this.net.listen(port, host, backlog, () => {
        this.net.removeListener('error', onError);
        this.core.start();
        resolve(this);
      });
    });
  }

  address(): AddressInfo {
    return this.net.address() as AddressInfo;
  }

  /**
   * Stops accepting, lets in-flight requests finish (for at most timeoutGracefulShutdown),
   * closes idle keep-alive connections, then runs the app's lifespan shutdown.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    const stopped = new Promise<void>((resolve) => {
      if (!this.net.listening) resolve();
      else this.net.close(() => resolve());
    });
    this.closing = Promise.all([stopped, this.core.shutdown()])
      .then(() => this.core.lifespan.shutdown())
      .then(() => this.core.stop());
    return this.closing;
  }

  /** Connections currently open. */
  get connections(): number {
    return this.core.connections.size;
  }
}
