// Upgrades. With an onUpgrade hook: once the app accepts (websocket.accept) and every
// earlier response is out, the socket and the bytes read after the head go to the hook,
// in the state node:http's 'upgrade' event gives them, and the transport lets go of the
// connection. Without one: the server runs the WebSocket protocol itself (websocket/),
// and the app speaks ASGI's websocket messages.
import type { Socket } from 'node:net';
import * as llhttp from '../parser/llhttp.js';
import type { App, ResponseHeaders, Scope, SendMessage } from '../types.js';
import { WS_VERSION, checkHandshake, upgradeRequest } from '../websocket/handshake.js';
import { AsgiWebSocket, type Handshake, type WebSocketHost } from '../websocket/session.js';
import type { Connection } from './connection.js';
import { RESPONSE, type Exchange } from './exchange.js';
import { flush } from './output.js';
import { encodeHeaders, headerLines } from './response-head.js';

const UPGRADE_HEADERS = encodeHeaders({ 'content-type': 'text/plain; charset=utf-8' });
/** RFC 6455 §4.4: a version the server does not speak is answered with the one it does. */
const VERSION_HEADERS = encodeHeaders({ 'content-type': 'text/plain; charset=utf-8', 'sec-websocket-version': WS_VERSION });
const REFUSED: Record<number, string> = {
  400: 'Bad WebSocket handshake\n',
  403: 'Forbidden\n',
  426: 'Upgrade Required: Sec-WebSocket-Version 13\n',
  500: 'Internal Server Error\n',
};

/** Sessions waiting for their exchange to reach the head of the connection's queue. */
const targets = new Map<Exchange, (socket: Socket, head: Buffer) => void>();

/** The app accepted an upgrade: hand over now, or once earlier responses are out (426 with no hook). */
export function acceptUpgrade(conn: Connection, ex: Exchange): void {
  if (!ex.upgrade) throw new Error('websocket.accept on a request that is not an upgrade');
  if (conn.core.onUpgrade === null && !targets.has(ex)) {
    ex.respond(426, UPGRADE_HEADERS, 'Upgrades are not enabled on this server\n');
    return;
  }
  ex.upgradeAccepted = true;
  handOver(conn, ex);
}

/** Upgrade accepted: hands the socket and the bytes read after the head over. False when `ex` is not first yet. */
export function handOver(conn: Connection, ex: Exchange): boolean {
  if (conn.first !== ex || conn.upgradeHead === null || conn.closed) return false;
  flush();
  const head = conn.upgradeHead;
  conn.upgradeHead = null;
  conn.closed = true;
  const socket = conn.core.detach(conn);
  llhttp.freeParser(conn.parser);
  conn.parser = 0;
  const target = targets.get(ex);
  if (target !== undefined) {
    targets.delete(ex);
    target(socket, head);
  } else conn.core.onUpgrade!(ex.scope, socket, head);
  return true;
}

/**
 * An upgrade request on a server without a hook: the handshake request is checked
 * (400/426 before the app runs), then the app gets the scope with ASGI websocket
 * receive/send. The exchange stays out of the pool (its scope stays valid) until the app
 * has settled and the websocket has closed.
 */
export function runWebSocket(app: App, host: WebSocketHost, ex: Exchange): boolean {
  const scope = ex.scope;
  if (!upgradesTo(scope.headers.get('upgrade'), 'websocket')) {
    // Another protocol (h2c from `curl --http2`): ignored, as RFC 9110 §7.8 allows; an HTTP request.
    scope.type = 'http';
    scope.scheme = scope.scheme === 'wss' ? 'https' : 'http';
    return false;
  }
  const bad = checkHandshake(scope.method, scope.headers);
  if (bad !== 0) {
    ex.respond(bad, bad === 426 ? VERSION_HEADERS : UPGRADE_HEADERS, REFUSED[bad]!);
    return true;
  }
  const url = scope.queryString === '' ? scope.rawPath : `${scope.rawPath}?${scope.queryString}`;
  const session = new AsgiWebSocket(host, new ExchangeHandshake(ex), upgradeRequest(scope.method, url, scope.headers));
  ex.appPending = true;
  watchGone(ex, ex.gen, session);
  let r: unknown;
  try {
    r = app(scope as Scope, session.receive as never, session.send);
  } catch (err) {
    session.appEnded(err);
    return true;
  }
  if (r !== undefined && r !== null && typeof (r as Promise<void>).then === 'function') {
    (r as Promise<void>).then(
      () => session.appEnded(null),
      (err) => session.appEnded(err ?? new Error('app rejected')),
    );
  } else session.appEnded(null);
  return true;
}

/** Whether the Upgrade field's protocol list names `protocol` (RFC 9110 §7.8, case-insensitive). */
function upgradesTo(field: string | null, protocol: string): boolean {
  if (field === null) return false;
  for (const item of field.split(',')) {
    const name = item.trim();
    const slash = name.indexOf('/');
    if ((slash < 0 ? name : name.slice(0, slash)).toLowerCase() === protocol) return true;
  }
  return false;
}

/** Before the handshake completes, the client leaving shows as http.disconnect on the exchange. */
function watchGone(ex: Exchange, gen: number, session: AsgiWebSocket): void {
  ex.receive().then((m) => {
    if (ex.gen !== gen) return;
    if (m.type === 'http.disconnect') session.gone();
    else watchGone(ex, gen, session);
  });
}

class ExchangeHandshake implements Handshake {
  private readonly ex: Exchange;
  private readonly gen: number;

  constructor(ex: Exchange) {
    this.ex = ex;
    this.gen = ex.gen;
  }

  respond(msg: SendMessage): Promise<void> {
    return this.ex.send(msg);
  }

  refuse(status: number): void {
    const ex = this.ex;
    const conn = ex.conn;
    if (conn === null || conn.closed) return;
    if (ex.responseState === RESPONSE.NONE) ex.respond(status, UPGRADE_HEADERS, REFUSED[status] ?? '');
    else if (ex.responseState !== RESPONSE.ENDED) conn.abort(); // a denial response left unfinished
  }

  headerLines(headers: ResponseHeaders | undefined): string[] {
    if (headers === undefined) return [];
    const text = headerLines(headers).text; // throws TypeError naming a bad field
    return text === '' ? [] : text.slice(0, -2).split('\r\n');
  }

  takeSocket(onSocket: (socket: Socket, head: Buffer) => void): void {
    const ex = this.ex;
    const conn = ex.conn as Connection | null;
    if (conn === null || conn.closed) return;
    targets.set(ex, onSocket);
    ex.upgradeAccepted = true;
    handOver(conn, ex);
  }

  done(): void {
    const ex = this.ex;
    if (ex.gen !== this.gen) return;
    targets.delete(ex);
    ex.onAppDone();
  }
}
