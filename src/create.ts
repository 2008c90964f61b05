import { Server, type ServerOptions } from './server/server.js';
import { Trust, type TrustOptions } from './trust/index.js';
import type { App } from './types.js';

export type CreateServerOptions = Omit<ServerOptions, 'trustStage'> & TrustOptions;

/**
 * A server running `app` (ASGI-style) on the fasterapi transport, with the header-trust
 * stage compiled once from the trust options (default: trust loopback peers only).
 */
export function createServer(app: App, options: CreateServerOptions = {}): Server {
  const trust = new Trust(options, options.logger ?? console);
  return new Server(app, { ...options, trustStage: trust, proxyProtocol: trust.proxyProtocol });
}
