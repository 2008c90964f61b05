// serve(): a fetch handler on the transport in one call, like @hono/node-server's serve().
import type { AddressInfo } from 'node:net';
import { createServer, type CreateServerOptions } from '../create.js';
import type { Server } from '../server/server.js';
import { createFetchHandler, type FetchHandler, type FetchHandlerOptions } from './handler.js';

export interface ServeOptions extends CreateServerOptions, FetchHandlerOptions {
  fetch: FetchHandler;
  /** Default 3000, as @hono/node-server. 0 picks a free port (see server.address()). */
  port?: number;
  /**
   * Interface to listen on; default '127.0.0.1' like the rest of fasterapi (@hono/node-server
   * listens on every interface by default: pass '0.0.0.0' or '::' in a container).
   * `hostname` is the @hono/node-server spelling of the same option.
   */
  host?: string;
  hostname?: string;
}

/**
 * Starts a server for `fetch` and resolves with it once listening. `listeningListener`
 * gets the address, as @hono/node-server's second argument does.
 *
 * ```ts
 * import { serve } from 'fasterapi/fetch';
 * const server = await serve({ fetch: app.fetch, port: 3000 });
 * ```
 * Every transport option (limits, timeouts, logger, trust settings) passes through.
 */
export async function serve(options: ServeOptions, listeningListener?: (info: AddressInfo) => void): Promise<Server> {
  const { fetch, port, host, hostname, overrideGlobalObjects, ...serverOptions } = options;
  const app = createFetchHandler(fetch, { overrideGlobalObjects });
  const server = await createServer(app, serverOptions).listen(port ?? 3000, host ?? hostname ?? '127.0.0.1');
  listeningListener?.(server.address());
  return server;
}
