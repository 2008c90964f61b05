// What every connection of one server shares: the app, the limits, the exchange pool,
// the trust stage and the one coarse timer that enforces timeouts.
import type { Socket } from 'node:net';
import type { App, Logger, Scope as ScopeShape, UpgradeHook } from '../types.js';
import type { Scope } from '../scope/scope.js';
import { Exchange, RESPONSE } from './exchange.js';
import { type Connection, SHARED_READ, type ConnectionContext } from './connection.js';
import { HttpConnection } from './http-connection.js';
import { DEFAULTS, type TransportOptions } from './options.js';
import { startClock, stopClock } from './clock.js';
import { LINGER, sweep } from './timeouts.js';
import { dateLine, errorResponse, serverLine } from './response-head.js';
import { consoleLogger } from './logger.js';
import { Lifespan } from './lifespan.js';
import { CURRENT, markSend } from './respond.js';
import { adopt, adopted, readFromHandle, release } from './native-io.js';
import type { ProxyRead } from './connection.js';
import { WebSocketHost } from '../websocket/session.js';
import { runWebSocket } from './upgrade.js';

/** Without a trust stage no PROXY header can be read: the connection is closed. */
const NO_PROXY_STAGE: ProxyRead = Object.freeze({ consumed: -1, peer: null, secure: false });

/** The stage that resolves client, scheme, host and root path (src/trust). */
export interface TrustStage {
  resolve(scope: Scope): void;
  /** PROXY protocol: what the header at the start of `buf` says (see ProxyRead). */
  readProxy?(buf: Buffer, tcpPeer: [string, number] | null): ProxyRead;
}

const POOL_MAX = 4096;
/** A pooled exchange keeps its head copy and start-field buffer up to this size (one large request must not pin memory). */
const POOL_KEEP_BYTES = 16 * 1024;

export class ServerCore implements ConnectionContext {
  readonly app: App;
  readonly logger: Logger;
  readonly maxHeaderSize: number;
  readonly maxUrlLength: number;
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly maxRequestsPerSocket: number;
  readonly maxBodySize: number;
  readonly maxConnections: number;
  readonly maxPipelined: number;
  readonly allowHalfOpen: boolean;
  readonly sendTimeout: number;
  readonly writeHighWater: number;
  readonly timeoutGracefulShutdown: number;
  readonly serverLine: Buffer;
  readonly dateLine: Buffer;
  readonly onUpgrade: UpgradeHook | null;
  /** Without an onUpgrade hook, the WebSocket protocol is run here (ASGI websocket messages). */
  readonly websockets: WebSocketHost | null;
  readonly onResponse: ((scope: ScopeShape, status: number, startedAt: number) => void) | null;
  readonly trust: TrustStage | null;
  readonly proxyProtocol: boolean;
  readonly connections = new Set<HttpConnection>();
  /** Sockets handed over by an upgrade and still open: they count toward maxConnections, as on node:http. */
  upgraded = 0;
  readonly lifespan: Lifespan;
  shuttingDown = false;
  private readonly pool: Exchange[] = [];
  private sweepTimer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(app: App, o: TransportOptions, trust: TrustStage | null, proxyProtocol: boolean) {
    this.app = app;
    this.logger = o.logger ?? consoleLogger();
    this.maxHeaderSize = o.maxHeaderSize ?? DEFAULTS.maxHeaderSize;
    this.maxUrlLength = o.maxUrlLength ?? DEFAULTS.maxUrlLength;
    this.headersTimeout = o.headersTimeout ?? DEFAULTS.headersTimeout;
    this.requestTimeout = o.requestTimeout ?? DEFAULTS.requestTimeout;
    this.keepAliveTimeout = o.keepAliveTimeout ?? DEFAULTS.keepAliveTimeout;
    this.maxRequestsPerSocket = o.maxRequestsPerSocket ?? DEFAULTS.maxRequestsPerSocket;
    this.maxBodySize = o.maxBodySize ?? DEFAULTS.maxBodySize;
    this.maxConnections = o.maxConnections ?? DEFAULTS.maxConnections;
    this.maxPipelined = o.maxPipelined ?? DEFAULTS.maxPipelined;
    this.allowHalfOpen = o.allowHalfOpen ?? DEFAULTS.allowHalfOpen;
    this.sendTimeout = o.sendTimeout ?? DEFAULTS.sendTimeout;
    this.writeHighWater = o.writeHighWater ?? DEFAULTS.writeHighWater;
    this.timeoutGracefulShutdown = o.timeoutGracefulShutdown ?? DEFAULTS.timeoutGracefulShutdown;
    // Written into every head: checked once here like any app-chosen field (TypeError at start-up).
    this.serverLine = serverLine(o.serverHeader, o.headers);
    this.dateLine = dateLine(o.dateHeader);
    this.onUpgrade = o.onUpgrade ?? null;
    this.websockets =
      this.onUpgrade !== null
        ? null
        : new WebSocketHost({
            maxMessageSize: o.wsMaxSize ?? DEFAULTS.wsMaxSize,
            perMessageDeflate: o.wsPerMessageDeflate ?? DEFAULTS.wsPerMessageDeflate,
            pingInterval: o.wsPingInterval ?? DEFAULTS.wsPingInterval,
            pingTimeout: o.wsPingTimeout ?? DEFAULTS.wsPingTimeout,
            writeHighWater: this.writeHighWater,
            logger: this.logger,
          });
    this.onResponse = o.onResponse ?? null;
    this.lifespan = new Lifespan(app, o.lifespan, this.logger);
    this.trust = trust;
    this.proxyProtocol = proxyProtocol;
    for (const [name, v] of Object.entries({
      maxHeaderSize: this.maxHeaderSize,
      maxUrlLength: this.maxUrlLength,
      headersTimeout: this.headersTimeout,
      requestTimeout: this.requestTimeout,
      keepAliveTimeout: this.keepAliveTimeout,
      maxRequestsPerSocket: this.maxRequestsPerSocket,
      maxBodySize: this.maxBodySize,
      maxConnections: this.maxConnections,
      maxPipelined: this.maxPipelined,
      sendTimeout: this.sendTimeout,
      wsMaxSize: o.wsMaxSize ?? DEFAULTS.wsMaxSize,
      wsPingInterval: o.wsPingInterval ?? DEFAULTS.wsPingInterval,
      wsPingTimeout: o.wsPingTimeout ?? DEFAULTS.wsPingTimeout,
      timeoutGracefulShutdown: this.timeoutGracefulShutdown,
    })) {
      if (!Number.isFinite(v) || v < 0) throw new TypeError(`${name} must be a number >= 0, got ${v}`);
    }
  }

  start(): void {
    startClock();
    // One sweep a second over all connections instead of a timer per request (node:http
    // does the same with connectionsCheckingInterval).
    this.sweepTimer = setInterval(sweep, 1000, this);
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer !== null) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = null;
      stopClock();
    }
  }

  accept(socket: Socket): void {
    if (this.shuttingDown || (this.maxConnections > 0 && this.connections.size + this.upgraded >= this.maxConnections)) {
      socket.on('error', ignore);
      // pauseOnConnect: read (and drop) so the client's FIN is seen and the socket closes
      // now rather than at LINGER, which also held server.close() for 5 s.
      socket.resume();
      socket.end(errorResponse(503, RETRY_AFTER));
      setTimeout(destroySocket, LINGER, socket).unref();
      return;
    }
    socket = adopt(socket, SHARED_READ, onReadCallback);
    socket.setNoDelay(true);
    const direct = adopted(socket);
    const conn = new HttpConnection(socket, this, direct);
    (socket as SocketWithConn)[kConn] = conn;
    this.connections.add(conn);
    if (!direct) socket.on('data', onData);
    else readFromHandle(socket, SHARED_READ, conn); // else the onread callback below
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('drain', onDrain);
    socket.on('error', onError);
  }

  acquire(conn: Connection): Exchange {
    const ex = this.pool.pop() ?? new Exchange();
    ex.reset(conn);
    return ex;
  }

  release(ex: Exchange): void {
    if (ex.conn === null) return;
    ex.conn = null;
    ex.scope.resetRequest();
    if (ex.spans.own !== null && ex.spans.own.length > POOL_KEEP_BYTES) ex.spans.own = null;
    if (ex.fields !== null && ex.fields.buf.length > POOL_KEEP_BYTES) ex.fields = null;
    if (this.pool.length < POOL_MAX) this.pool.push(ex);
  }

  /** Exchanges waiting in the pool (for tests that check nothing leaks). */
  get pooled(): number {
    return this.pool.length;
  }

  resolveTrust(scope: Scope): void {
    if (this.trust !== null) this.trust.resolve(scope);
  }

  parseProxy(buf: Buffer, tcpPeer: [string, number] | null): ProxyRead {
    return this.trust?.readProxy ? this.trust.readProxy(buf, tcpPeer) : NO_PROXY_STAGE;
  }

  dispatch(ex: Exchange): void {
    if (ex.upgrade && this.websockets !== null && runWebSocket(this.app, this.websockets, ex)) return;
    let r: unknown;
    const send = ex.send;
    // Restored, not cleared, after: an app's respond() can resume reading and so dispatch
    // the next pipelined request inside this call.
    const outerSend = CURRENT.send;
    const outerOwner = CURRENT.owner;
    CURRENT.send = send;
    CURRENT.owner = ex;
    try {
      r = this.app(ex.scope as ScopeShape, ex.receive, send);
    } catch (err) {
      ex.conn!.appFailed(ex, err);
      return;
    } finally {
      CURRENT.send = outerSend;
      CURRENT.owner = outerOwner;
    }
    if (r !== undefined && r !== null && typeof (r as Promise<void>).then === 'function') {
      ex.appPending = true;
      // Its response may come later, through respond(): mark its send (respond.ts).
      if (ex.responseState !== RESPONSE.ENDED) markSend(send, ex);
      (r as Promise<void>).then(ex.onAppDone, ex.onAppError);
    }
  }

  forget(conn: Connection): void {
    this.connections.delete(conn as HttpConnection);
    if (this.connections.size === 0 && this.idleWaiters.length > 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  /** The socket leaves the transport (upgrade): returns a plain socket for the new owner. */
  detach(conn: Connection): Socket {
    const s = conn.socket;
    s.removeListener('data', onData);
    s.removeListener('end', onEnd);
    s.removeListener('close', onClose);
    s.removeListener('drain', onDrain);
    s.removeListener('error', onError);
    this.forget(conn);
    const socket = release(s);
    this.upgraded++;
    socket.once('close', () => this.upgraded--);
    return socket;
  }

  /** Graceful: idle connections close now, busy ones after their in-flight responses; then open websockets close with 1001. */
  shutdown(): Promise<void> {
    const ws = this.websockets;
    const http = this.shutdownHttp();
    return ws === null ? http : http.then(() => ws.goingAway());
  }

  private shutdownHttp(): Promise<void> {
    this.shuttingDown = true;
    for (const conn of this.connections) {
      const p = conn.parsing;
      if (conn.first === null && p === null) conn.closeIdle();
      else if (p !== null && !p.dispatched)
        conn.fail(503); // a head still arriving was not accepted: it must not hold close() for headersTimeout
      else conn.startClosing();
    }
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      if (this.timeoutGracefulShutdown > 0) {
        // Not unref'd: with a hung handler this timer may be all that keeps the process alive.
        const cut = setTimeout(() => this.cutRemaining(), this.timeoutGracefulShutdown);
        this.idleWaiters.push(() => clearTimeout(cut));
      }
    });
  }

  /** The graceful timeout passed: every connection still open is cut, naming what was in flight. */
  private cutRemaining(): void {
    let inFlight = 0;
    for (const conn of this.connections) for (let ex = conn.first; ex !== null; ex = ex.next) inFlight++;
    this.logWarning(
      `shutdown: ${this.connections.size} connection(s) with ${inFlight} request(s) in flight cut after timeoutGracefulShutdown (${this.timeoutGracefulShutdown / 1000} s)`,
    );
    for (const conn of this.connections) conn.abort();
  }

  debug(message: string): void {
    this.logger.debug?.(message);
  }

  /** Calls the onResponse hook for `ex`, whose response has ended. */
  responded(ex: Exchange): void {
    try {
      this.onResponse!(ex.scope as ScopeShape, ex.status, ex.startedPrecise);
    } catch (err) {
      this.logError('onResponse hook failed', err);
    }
  }

  logWarning(message: string): void {
    try {
      this.logger.warn(message);
    } catch {
      // a failing logger must not take the server down
    }
  }

  logError(message: string, err?: unknown): void {
    try {
      this.logger.error(message, err);
    } catch {
      // a failing logger must not take the server down
    }
  }
}

const kConn = Symbol('fasterapi.connection');
type SocketWithConn = Socket & { [kConn]: HttpConnection };

function onReadCallback(this: Socket, nread: number, buf: Buffer): void {
  (this as SocketWithConn)[kConn].read(buf, nread);
}

/** maxConnections reached: the client may retry in a second. */
const RETRY_AFTER = Buffer.from('retry-after: 1\r\n', 'latin1');

// Socket listeners are module functions reading the connection off the socket: no
// closure per connection.
function onData(this: Socket, chunk: Buffer): void {
  (this as SocketWithConn)[kConn].read(chunk, chunk.length);
}
function onEnd(this: Socket): void {
  (this as SocketWithConn)[kConn].onEnd();
}
function onClose(this: Socket): void {
  (this as SocketWithConn)[kConn].onClose();
}
function onDrain(this: Socket): void {
  (this as SocketWithConn)[kConn].onDrain();
}
function onError(this: Socket, err: Error): void {
  (this as SocketWithConn)[kConn].core.debug(`socket error: ${err.message}`);
}
function ignore(): void {}
function destroySocket(s: Socket): void {
  s.destroy();
}
