// The second argument a fetch handler gets (Hono's `c.env`), carrying the client address
// the trust stage resolved, in the shape @hono/node-server's env has; and the same address
// where Elysia asks for it (server.requestIP).
import { FetchRequest, kClient } from './request.js';

/** Address of the client as node:net spells it on a socket. */
export interface SocketAddress {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: 'IPv4' | 'IPv6' | undefined;
}

/** Hono's ConnInfo shape (hono/conninfo), declared here so hono stays optional. */
export interface ConnInfo {
  remote: {
    address?: string;
    port?: number;
    transport?: 'tcp' | 'udp';
    addressType?: 'IPv4' | 'IPv6' | 'unknown';
  };
}

/**
 * Per-request env. `client` is the [address, port] the trust stage resolved (the real
 * client behind trusted proxies, else the TCP peer): X-Forwarded-For is not re-parsed.
 *
 * `incoming.socket` mirrors @hono/node-server's `env.incoming.socket`, so its
 * `getConnInfo` (from '@hono/node-server/conninfo') reads the resolved address too.
 * There is no `incoming` IncomingMessage or `outgoing` ServerResponse otherwise.
 */
export class FetchEnv {
  readonly client: readonly [string, number] | null;

  constructor(client: readonly [string, number] | null) {
    this.client = client;
  }

  get incoming(): { readonly socket: SocketAddress } {
    const c = this.client;
    return {
      socket: {
        remoteAddress: c === null ? undefined : c[0],
        remotePort: c === null ? undefined : c[1],
        remoteFamily: c === null ? undefined : familyOf(c[0]),
      },
    };
  }
}

function familyOf(address: string): 'IPv4' | 'IPv6' {
  return address.indexOf(':') >= 0 ? 'IPv6' : 'IPv4';
}

/**
 * Hono-style ConnInfo for a context served by fasterapi/fetch: the client address
 * resolved by the trust stage. Also reads an @hono/node-server env, so an app can use
 * this one helper on either adapter.
 *
 * ```ts
 * import { getConnInfo } from 'fasterapi/fetch';
 * app.get('/ip', (c) => c.text(getConnInfo(c).remote.address ?? ''));
 * ```
 */
export function getConnInfo(c: { env?: unknown }): ConnInfo {
  const env = c.env as { incoming?: { socket?: Partial<SocketAddress> }; server?: { incoming?: { socket?: Partial<SocketAddress> } } } | undefined;
  if (env instanceof FetchEnv) {
    const client = env.client;
    if (client === null) return { remote: {} };
    return { remote: { address: client[0], port: client[1], transport: 'tcp', addressType: familyOf(client[0]) } };
  }
  const socket = (env?.server ?? env)?.incoming?.socket;
  const family = socket?.remoteFamily;
  return {
    remote: {
      address: socket?.remoteAddress,
      port: socket?.remotePort,
      addressType: family === 'IPv4' || family === 'IPv6' ? family : undefined,
    },
  };
}

/** Bun's SocketAddress, what Elysia's `server.requestIP(request)` returns. */
export interface RequestAddress {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** The client address of a request served here (null for any other Request). */
export function requestIP(request: unknown): RequestAddress | null {
  if (!(request instanceof FetchRequest)) return null;
  const c = request[kClient];
  return c === null ? null : { address: c[0], port: c[1], family: familyOf(c[0]) };
}

/**
 * The `server` an Elysia app served by fetch() alone (the CLI) gets: the `requestIP()` its
 * handlers call, and the `stop()` its `app.stop()` calls, once whoever serves the app has
 * set `closer`.
 */
export class AppServer {
  /** Closes the server serving the app, as SIGTERM does; `force` drops open connections. */
  closer: ((force: boolean) => Promise<void>) | null = null;

  requestIP(request: unknown): RequestAddress | null {
    return requestIP(request);
  }

  stop(closeActiveConnections?: boolean): Promise<void> {
    const closer = this.closer;
    if (closer === null) return Promise.reject(new Error('the app is not being served yet: nothing to stop'));
    return closer(closeActiveConnections === true);
  }
}

/**
 * Gives an Elysia app an AppServer as its `server`, and returns it; an app already
 * listening keeps its own server (null then).
 */
export function attachServerInfo(app: object): AppServer | null {
  const a = app as { server?: unknown };
  if (a.server != null) return null;
  const server = new AppServer();
  a.server = server;
  return server;
}
