// The request's `socket` as frameworks see it, and the one object that drives a request on
// the transport: the body pump behind IncomingMessage (node:http calls socket.resume() /
// pause() to pull or hold the body, and so does this), the disconnect watch, the end.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Scope as ScopeFields } from '../scope/scope.js';
import type { Receive, ReceiveMessage, Scope, Send, SendMessage } from '../types.js';
import { type NodeResponse, responseGone } from './response.js';

/** Who the requests go to (an http.Server-like emitter, or a bare listener). */
export interface NodeHost {
  /** Published with the diagnostics events, as node:http publishes its server. */
  readonly server: EventEmitter | null;
}

const EMPTY = Buffer.alloc(0);

/**
 * One per request (node:http has one per connection: see docs/node-compat.md). Its fields
 * mirror net.Socket's where frameworks read them: `remoteAddress` is the TCP peer, as on
 * node:http, so a framework's own `trust proxy` works; `scope.client` holds the trust
 * stage's answer.
 */
export class NodeSocket extends EventEmitter {
  // Declared, and assigned in the constructor in this order: class fields on an
  // EventEmitter subclass are defined one by one after super(), about twice the time of
  // plain assignments (bench/micro/node-objects.js).
  declare remoteAddress: string | undefined;
  declare remotePort: number | undefined;
  declare remoteFamily: string | undefined;
  declare localAddress: string | undefined;
  declare localPort: number | undefined;
  /** No TLS on the transport: undefined as on a plain net.Socket. */
  declare encrypted: boolean | undefined;
  declare readable: boolean;
  declare writable: boolean;
  declare destroyed: boolean;
  declare _paused: boolean;
  declare readableHighWaterMark: number;
  declare writableLength: number;
  declare writableCorked: number;
  declare bytesWritten: number;
  declare timeout: number;
  /** The trust stage's client (scope.client), for apps that want it instead of re-parsing X-Forwarded-For. */
  declare client: [string, number] | null;
  /** @internal */ declare req: IncomingMessage | null;
  /** @internal */ declare res: NodeResponse | null;
  declare private receive: Receive;
  /** @internal */ declare send: Send;
  declare private flowing: boolean;
  declare private reading: boolean;
  declare private bodyDone: boolean;
  declare private watching: boolean;
  declare private gone: boolean;
  declare private onMessage: ((m: ReceiveMessage) => void) | null;
  declare private settle: ((v?: undefined) => void) | null;
  /** destroy() dropped the request (http.response.abort). */
  declare private dropped: boolean;
  /** Not an upgrade: an upgrade's exchange is handed over (and its scope reused) while req lives on. */
  declare private plain: boolean;
  declare private onWatch: ((m: ReceiveMessage) => void) | null;

  /**
   * `dualStack`: the server listens on IPv6, where the kernel reports an IPv4 peer as
   * '::ffff:a.b.c.d' and node:http passes that on (Express's req.ip shows it); the
   * transport normalises it to 'a.b.c.d', so it is mapped back here.
   */
  constructor(scope: Scope, receive: Receive, send: Send, dualStack: boolean) {
    super();
    const peer = scope.peer;
    const v6 = peer?.[0].includes(':') === true;
    this.remoteAddress = peer === null ? undefined : dualStack && !v6 ? `::ffff:${peer[0]}` : peer[0];
    this.remotePort = peer === null ? undefined : peer[1];
    this.remoteFamily = peer === null ? undefined : v6 || dualStack ? 'IPv6' : 'IPv4';
    // the connection's own address, as net.Socket reports it (not scope.server, which is the Host the client named)
    const local = (scope as ScopeFields).localAddress;
    this.localAddress = local === '' ? undefined : local;
    this.localPort = local === '' ? undefined : (scope as ScopeFields).localPort;
    this.encrypted = undefined;
    this.readable = true;
    this.writable = true;
    this.destroyed = false;
    this._paused = false;
    this.readableHighWaterMark = 16 * 1024;
    this.writableLength = 0;
    this.writableCorked = 0;
    this.bytesWritten = 0;
    this.timeout = 0;
    this.client = scope.client;
    this.req = null;
    this.res = null;
    this.plain = scope.type === 'http';
    this.onWatch = null;
    this.receive = receive;
    this.send = send;
    this.flowing = false;
    this.reading = false;
    this.bodyDone = false;
    this.watching = false;
    this.gone = false;
    this.onMessage = null;
    this.settle = null;
    this.dropped = false;
  }

  /** node:http's readStart(): the body may flow into req. */
  resume(): this {
    this.flowing = true;
    this.pull();
    return this;
  }

  /** node:http's readStop(): req's buffer is full. */
  pause(): this {
    this.flowing = false;
    return this;
  }

  /** Reads one body message ahead without flowing (writeContinue: receive() sends the 100). */
  readAhead(): void {
    if (this.reading || this.bodyDone) return;
    this.reading = true;
    this.receive().then((this.onMessage ??= (m) => this.take(m)));
  }

  /** The request has no body (no content-length, no transfer-encoding). */
  noBody(): void {
    this.endBody();
  }

  private pull(): void {
    if (this.reading || this.bodyDone || !this.flowing) return;
    // After the response the transport discards what is left of the body (node:http reads and drops it).
    if (this.res!.finished) {
      this.endBody();
      return;
    }
    this.reading = true;
    this.receive().then((this.onMessage ??= (m) => this.take(m)));
  }

  private take(m: ReceiveMessage): void {
    this.reading = false;
    if (m.type === 'http.disconnect') {
      if (this.res!.finished) this.endBody();
      else this.clientGone();
      return;
    }
    const body = m.body;
    if (body.length > 0) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      if (!this.req!.push(buf)) this.flowing = false;
    }
    if (!m.moreBody) this.endBody();
    else this.pull();
  }

  private endBody(): void {
    if (this.bodyDone) return;
    this.bodyDone = true;
    const req = this.req!;
    req.complete = true;
    req.push(null);
    if (this.settle !== null) this.watch();
  }

  /** After the listener returned with the response still open: a promise for the transport, and a watch for the client leaving. */
  pending(): Promise<void> {
    if (this.dropped) return Promise.resolve();
    const p = new Promise<void>((resolve) => {
      this.settle = resolve;
    });
    if (this.bodyDone) this.watch();
    return p;
  }

  /** receive() after the body: http.disconnect when the client leaves, or when the response ends. */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    this.receive().then((this.onWatch ??= (m) => this.watched(m)));
  }

  /** A request without a body never read its end: the first receive() gives it, the next one waits. */
  private watched(m: ReceiveMessage): void {
    if (m.type === 'http.disconnect') {
      if (!this.res!.finished) this.clientGone();
    } else if (m.type === 'http.request' && this.plain && !this.res!.finished) this.receive().then(this.onWatch!);
  }

  private clientGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.readable = this.writable = false;
    this.destroyed = true;
    const req = this.req!;
    // IncomingMessage._destroy emits 'aborted' for a body cut short, then 'close'.
    if (!req.complete) req.destroy();
    else if (!req.destroyed) req.destroy();
    responseGone(this.res!);
    this.emit('close', false);
    // node:http destroys the socket here; the transport keeps a half-closed connection open
    // until its response ends, which an app streaming to a gone client may never do (Koa's
    // own suite then never exited). The request is dropped as destroy() drops it.
    if (!this.res!.finished) void this.send(ABORT).catch(noop);
  }

  /** The response has ended (or the client left): the transport may release the exchange. */
  done(): void {
    const s = this.settle;
    if (s !== null) {
      this.settle = null;
      s();
    }
  }

  /** destroy(): the request is dropped unanswered (http.response.abort: no 500, no log line; after the head, the connection is cut). */
  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.readable = this.writable = false;
    if (!this.res!.finished) void this.send(ABORT).catch(noop);
    this.dropped = true;
    this.done();
    process.nextTick(emitClose, this, err);
    return this;
  }

  end(): this {
    return this.destroy();
  }

  /** Raw writes bypass HTTP framing: not available on a request's socket (only after an upgrade, where the real socket is given). */
  write(): boolean {
    throw new Error('fasterapi/node: writing to req.socket is not supported; use res (see docs/node-compat.md)');
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.timeout = ms;
    if (cb !== undefined) this.once('timeout', cb);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  cork(): void {}
  uncork(): void {}
  address(): { address: string | undefined; port: number | undefined; family: string | undefined } {
    return { address: this.localAddress, port: this.localPort, family: this.remoteFamily };
  }
}

const ABORT: SendMessage = Object.freeze({ type: 'http.response.abort' });

function noop(): void {}

/** net.Socket's destroy(err): 'error' (here only to listeners: node:http's own is not there) then 'close'. */
function emitClose(s: NodeSocket, err?: Error): void {
  if (err !== undefined && s.listenerCount('error') > 0) s.emit('error', err);
  s.emit('close', err !== undefined);
}

export { EMPTY };
