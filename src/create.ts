import { Server, type ServerOptions } from './server/server.js';
import type { App } from './types.js';

export type CreateServerOptions = Omit<ServerOptions, 'trustStage'>;

/** A server running `app` (ASGI-style) on the fasterapi transport. */
export function createServer(app: App, options: CreateServerOptions = {}): Server {
  return new Server(app, options);
}
