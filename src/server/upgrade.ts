// The upgrade hand-over: once the app accepts an upgrade (websocket.accept) and every
// earlier response is out, the socket and the bytes read after the head go to the
// server's onUpgrade hook, and the transport lets go of the connection.
import * as llhttp from '../parser/llhttp.js';
import type { Connection } from './connection.js';
import { encodeHeaders } from './response-head.js';
import type { Exchange } from './exchange.js';
import { flush } from './output.js';

const UPGRADE_HEADERS = encodeHeaders({ 'content-type': 'text/plain; charset=utf-8' });

/** The app accepted an upgrade: hand over now, or once earlier responses are out (426 with no hook). */
export function acceptUpgrade(conn: Connection, ex: Exchange): void {
  if (!ex.upgrade) throw new Error('websocket.accept on a request that is not an upgrade');
  if (conn.core.onUpgrade === null) {
    ex.respond(426, UPGRADE_HEADERS, 'Upgrades are not enabled on this server\n');
    return;
  }
  ex.upgradeAccepted = true;
  handOver(conn, ex);
}

/** Upgrade accepted: hands the socket and the bytes read after the head to the hook. False when `ex` is not first yet. */
export function handOver(conn: Connection, ex: Exchange): boolean {
  if (conn.first !== ex || conn.upgradeHead === null || conn.closed) return false;
  flush();
  const head = conn.upgradeHead;
  conn.upgradeHead = null;
  conn.closed = true;
  const socket = conn.core.detach(conn);
  llhttp.freeParser(conn.parser);
  conn.parser = 0;
  conn.core.onUpgrade!(ex.scope, socket, head);
  return true;
}
