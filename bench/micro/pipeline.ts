// The in-process pipeline without sockets: a fake socket under a real ServerCore and
// Connection, so one conn.read() runs parse → scope → trust → app → encode into the
// shared output slab → socket.write(view), with no kernel involved.
import type { Socket } from 'node:net';
import { BaseHTTPMiddleware, Faster, TrustedHostMiddleware, encodeHeaders } from '../../src/index.js';
import { SHARED_READ } from '../../src/server/connection.js';
import { HttpConnection, copyShared } from '../../src/server/http-connection.js';
import { ServerCore, type TrustStage } from '../../src/server/core.js';
import type { TransportOptions } from '../../src/server/options.js';
import { PHASE, type Exchange } from '../../src/server/exchange.js';
import { beginRead, endRead } from '../../src/server/output.js';
import type { Scope } from '../../src/scope/scope.js';
import { Trust } from '../../src/trust/index.js';
import type { App, Receive, ReceiveMessage, Send } from '../../src/types.js';
import { markSend, respond } from '../../src/server/respond.js';
import { createHelloApp, type HelloVariant } from '../http/servers/hello-app.js';
import { REALISTIC_TRUSTED, createRealisticApp } from '../http/servers/realistic-app.js';

export const HELLO = 'Hello, World!';
export const TEXT_HEAD = encodeHeaders({ 'content-type': 'text/plain' });

/**
 * What output.ts and Connection use of a net.Socket. write() reports a synchronous
 * write (writableLength stays 0), so the slab region is reused at once, as on a socket
 * whose kernel buffer has room. With `capture` on it keeps a copy of what was written.
 */
export class FakeSocket {
  writableLength = 0;
  destroyed = false;
  remoteAddress = '127.0.0.1';
  remotePort = 50123;
  localAddress = '127.0.0.1';
  localPort = 8000;
  capture = false;
  captured: Buffer[] = [];
  write(bytes: Uint8Array): boolean {
    if (this.capture) this.captured.push(Buffer.from(bytes));
    return true;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  end(): this {
    this.destroyed = true;
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  /** Everything written since the last call, as latin1 text. */
  take(): string {
    const text = Buffer.concat(this.captured).toString('latin1');
    this.captured = [];
    return text;
  }
}

/** The trust configuration every pipeline here uses: loopback (the socket peer) and the 10/8 proxies of the shapes. */
export const TRUSTED_PROXIES = ['loopback', '10.0.0.0/8'];

/**
 * The trust stage of every pipeline here: the shapes' proxies trusted, and (behind
 * proxies that set it, as the proxied shape's do) the forwarded host taken from them.
 */
export function newTrust(): Trust {
  return new Trust({ trustedProxies: TRUSTED_PROXIES, forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-port' }, null);
}

/** One connection over a fake socket. */
export class Pipeline {
  readonly socket = new FakeSocket();
  readonly core: ServerCore;
  readonly conn: HttpConnection;

  constructor(app: App, trust: TrustStage | null, options: TransportOptions = {}) {
    this.core = new ServerCore(app, options, trust, false);
    this.conn = new HttpConnection(this.socket as unknown as Socket, this.core, false);
  }

  /**
   * One read carrying `bytes`: copied into the shared read buffer first, as the socket's
   * onread does (a memcpy that stands in for the kernel's copy), then parsed.
   */
  read(bytes: Buffer): void {
    copyShared(); // what the microtask hops do before a real read
    bytes.copy(SHARED_READ, 0);
    this.conn.read(SHARED_READ, bytes.length);
  }

  /** Reads `bytes` once and returns the response bytes it produced. */
  answer(bytes: Buffer): string {
    this.socket.capture = true;
    this.read(bytes);
    this.socket.capture = false;
    return this.socket.take();
  }

  /**
   * Waits until every response of the reads so far is out: an async app answers (and
   * settles, which releases the exchange) in later microtasks, and output leaves on
   * the transport's nextTick flush. One nextTick per turn: each lets the microtasks
   * queued before it run and the flush queued before it write.
   */
  async drain(): Promise<void> {
    for (let i = 0; i < 1000 && this.conn.inFlight > 0; i++) await nextTick();
    await nextTick();
  }

  /** answer() for an async app: reads `bytes`, drains, returns what was written. */
  async answerAsync(bytes: Buffer): Promise<string> {
    this.socket.capture = true;
    this.read(bytes);
    await this.drain();
    this.socket.capture = false;
    return this.socket.take();
  }
}

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** The bare transport's app: the static response for every request (fast path, header block encoded once). */
export const staticApp: App = (_scope, _receive, send) => {
  respond(send, 200, TEXT_HEAD, HELLO);
};

class PassThroughA extends BaseHTTPMiddleware {
  override dispatch(scope: Parameters<App>[0], receive: Receive, send: Send): void | Promise<void> {
    return this.app(scope, receive, send);
  }
}
class PassThroughB extends BaseHTTPMiddleware {
  override dispatch(scope: Parameters<App>[0], receive: Receive, send: Send): void | Promise<void> {
    return this.app(scope, receive, send);
  }
}

const helloApps = new Map<HelloVariant, App>();
let realistic: App | null = null;

/** The trust stage a Faster app's server has by default (createServer: loopback peers trusted). */
export function defaultTrust(): Trust {
  return new Trust({}, null);
}

/** The HTTP suite's hello app (bench/http/servers/hello-app.ts) in one variant, one instance per process; its server's trust stage is defaultTrust(). */
export function helloApp(variant: HelloVariant): App {
  let asgi = helloApps.get(variant);
  if (asgi === undefined) helloApps.set(variant, (asgi = createHelloApp(variant).asgi));
  return asgi;
}

/** The HTTP suite's realistic app (bench/http/servers/realistic-app.ts); its trust stage is realisticTrust(). */
export function realisticApp(): App {
  return (realistic ??= createRealisticApp(true).asgi);
}

/** The trust stage the realistic app's server has: its trusted proxies, the default forwarded headers. */
export function realisticTrust(): Trust {
  return new Trust({ trustedProxies: REALISTIC_TRUSTED }, null);
}

/** Hosts the shapes address. */
export const ALLOWED_HOSTS = ['localhost', 'api.example.com'];

const apps = new Map<boolean, App>();
const helloRoute = (): string => HELLO;
const createdRoute = (): string => 'created';

/**
 * The app layer: Faster with three middlewares (two pass-through BaseHTTPMiddleware
 * subclasses, TrustedHostMiddleware outermost) around three static routes. The POST
 * handler answers without reading the body (the transport has queued it by then).
 * One instance per variant for the whole process, as a server has one app: separate
 * instances would show the compiler call sites a real server never has.
 */
export function fasterApp(middlewares: boolean): App {
  let asgi = apps.get(middlewares);
  if (asgi === undefined) {
    const app = new Faster({ logger: { error() {}, warn() {}, info() {} } });
    if (middlewares) {
      app.addMiddleware(PassThroughA);
      app.addMiddleware(PassThroughB);
      app.addMiddleware(TrustedHostMiddleware, { allowedHosts: ALLOWED_HOSTS });
    }
    app.get('/', helloRoute);
    app.get('/dashboard', helloRoute);
    app.post('/items', createdRoute);
    asgi = app.asgi;
    apps.set(middlewares, asgi);
  }
  return asgi;
}

/**
 * The scope a real parse of `bytes` produces (trust stage applied when given), kept
 * alive: its app never answers, so the exchange stays queued and the connection copied
 * the head out of the shared read buffer. For the stages measured alone.
 */
export function parsedScope(bytes: Buffer, trust: TrustStage | null): Scope {
  let scope: Scope | null = null;
  const p = new Pipeline((s) => {
    scope = s as Scope;
  }, trust);
  p.read(bytes);
  if (scope === null) throw new Error('parsedScope: the request was not dispatched');
  return scope;
}

/** Puts a scope back to what the connection hands the trust stage (client = peer, http, no root path). */
export function resetForTrust(scope: Scope): void {
  scope.client = scope.peer;
  scope.scheme = 'http';
  scope.rootPath = '';
  scope.forwardedHost = null;
  scope.forwardedPort = -1;
}

/** Drops the scope's lazily built strings (path, rawPath, queryString, server), as a fresh request has none. */
export function clearLazy(scope: Scope): void {
  const s = scope as unknown as Record<'path' | 'rawPath' | 'queryString' | 'server', null>;
  s.path = null;
  s.rawPath = null;
  s.queryString = null;
  s.server = null;
}

/**
 * A Send that respond() takes for the transport's own (marked with markSend, as core.ts marks the send of an app still answering),
 * recording the last whole-response status: the chain measured without the transport.
 */
export class SendStub {
  status = 0;
  calls = 0;
  readonly send: Send = () => Promise.resolve();
  constructor() {
    const respond = (status: number): void => {
      this.calls++;
      this.status = status;
    };
    markSend(this.send, { send: this.send, respond });
  }
}

const DISCONNECT: ReceiveMessage = { type: 'http.disconnect' };
export const receiveStub: Receive = () => Promise.resolve(DISCONNECT);

/**
 * Response encoding alone: an exchange taken from the pool and queued as the
 * connection's head (what onMessageBegin + onMessageComplete leave behind), answered,
 * flushed to the fake socket, popped and released: no parse, no app.
 */
export class Encoder {
  readonly pipeline = new Pipeline(staticApp, null);

  private next(): Exchange {
    const conn = this.pipeline.conn;
    const ex = this.pipeline.core.acquire(conn);
    ex.phase = PHASE.DONE;
    ex.queued = true;
    conn.first = conn.last = ex;
    conn.inFlight++;
    return ex;
  }

  /** Fast path: send(200, HEAD, 'Hello, World!'). */
  fast(): void {
    beginRead();
    this.next().respond(200, TEXT_HEAD, HELLO);
    endRead();
  }

  /** ASGI: http.response.start then one http.response.body (message objects made once). */
  asgi(): void {
    beginRead();
    const send = this.next().send;
    void send(START);
    void send(BODY);
    endRead();
  }

  answer(kind: 'fast' | 'asgi'): string {
    const s = this.pipeline.socket;
    s.capture = true;
    if (kind === 'fast') this.fast();
    else this.asgi();
    s.capture = false;
    return s.take();
  }
}

const START = { type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] } as const;
const BODY = { type: 'http.response.body', body: HELLO } as const;
