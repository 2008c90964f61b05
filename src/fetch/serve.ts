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
 * Starts a server for `fetch` and returns it at once, as @hono/node-server's serve() does
 * (`const server = serve(...); server.close()`): listening starts inside, and
 * `listeningListener` gets the address once it is bound. A failure to listen (port in
 * use) goes to the server's 'error' listeners when it has that event, else it is thrown
 * as an uncaught exception: it is never silent. `server.close()` right after serve() (the
 * same tick) leaves nothing listening and the listening callback uncalled.
 *
 * ```ts
 * import { serve } from 'fasterapi/fetch';
 * serve({ fetch: app.fetch, port: 3000 }, (info) => console.log(`on ${info.port}`));
 * ```
 * Every transport option (limits, timeouts, logger, trust settings) passes through.
 */
export function serve(options: ServeOptions, listeningListener?: (info: AddressInfo) => void): Server {
  const { fetch, port, host, hostname, overrideGlobalObjects, maxBufferedBodySize, defaultContentType, ...serverOptions } = options;
  const app = createFetchHandler(fetch, { overrideGlobalObjects, maxBufferedBodySize, defaultContentType });
  const server = createServer(app, serverOptions);
  server.listen(port ?? 3000, host ?? hostname ?? '127.0.0.1').then(
    // A close() during listen() wins: no listening callback, as node:http's.
    () => {
      if (!server.closeCalled) listeningListener?.(server.address());
    },
    (err: unknown) => process.nextTick(failed, server, err),
  );
  return server;
}

function failed(server: Server, err: unknown): void {
  const emitter = server as unknown as { emit?: (event: string, err: unknown) => boolean };
  if (typeof emitter.emit === 'function') emitter.emit('error', err);
  else throw err;
}
