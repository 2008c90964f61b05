// Timeouts: one sweep a second over every connection instead of a timer per request
// (node:http does the same with connectionsCheckingInterval). Limits are in ms; the
// clock is the coarse one (clock.ts), so a timeout may fire up to a second early.
import { now } from './clock.js';
import type { HttpConnection } from './http-connection.js';
import { PHASE, RESPONSE } from './exchange.js';

/** A closing connection whose client does not close its side within this time is destroyed. */
export const LINGER = 5_000;

/** What the sweep reads of the server. */
export interface TimeoutLimits {
  readonly connections: ReadonlySet<HttpConnection>;
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly sendTimeout: number;
  debug(message: string): void;
}

/**
 * Enforces, per connection: the linger of a closing connection, sendTimeout for a client
 * that does not read, headersTimeout for a PROXY header and for a head (from its first
 * byte, blank lines included), requestTimeout for a whole exchange (body and the app's
 * answer, from the request's first byte), keepAliveTimeout when idle.
 */
export function sweep(core: TimeoutLimits): void {
  const t = now;
  for (const conn of core.connections) {
    if (conn.closed) continue;
    if (conn.closing && conn.first === null && t - conn.closingSince > LINGER) {
      conn.socket.destroy();
      continue;
    }
    if (conn.writeBlocked && t - conn.writeBlockedSince > core.sendTimeout) {
      core.debug('send timeout: client is not reading');
      conn.socket.destroy();
      continue;
    }
    if (conn.proxyBuf !== null) {
      // PROXY protocol: nothing is answered before a valid header, so a late one is a silent close.
      if (core.headersTimeout > 0 && t - conn.openedAt > core.headersTimeout) conn.socket.destroy();
      continue;
    }
    // The oldest response in flight, its request read: requestTimeout covers the app's time too.
    const head = conn.first;
    if (head !== null && head !== conn.parsing && head.responseState !== RESPONSE.ENDED && !head.upgradeAccepted) {
      if (core.requestTimeout > 0 && t - head.startedAt > core.requestTimeout) {
        conn.appTimedOut(head, core.requestTimeout);
        continue;
      }
    }
    const ex = conn.parsing;
    if (ex !== null) {
      const limit = ex.phase === PHASE.HEAD ? core.headersTimeout : core.requestTimeout;
      if (limit > 0 && t - ex.startedAt > limit) conn.fail(408);
    } else if (conn.headSince !== 0) {
      // Only blank lines since the last request: ended as an idle connection is (below),
      // but timed from the first of them, as each read refreshes lastActive.
      const limit = conn.requests === 0 ? core.headersTimeout : core.keepAliveTimeout;
      if (conn.first === null && !conn.closing && limit > 0 && t - conn.headSince > limit) {
        if (conn.requests === 0) conn.fail(408);
        else conn.closeIdle();
      }
    } else if (conn.first === null && !conn.closing) {
      const limit = conn.requests === 0 ? core.headersTimeout : core.keepAliveTimeout;
      if (limit > 0 && t - conn.lastActive > limit) {
        if (conn.requests === 0) conn.fail(408);
        else conn.closeIdle();
      }
    }
  }
}
