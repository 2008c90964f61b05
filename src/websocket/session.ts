// The ASGI websocket interface over one upgraded connection (servers without an
// onUpgrade hook): the app's receive() and send() speak ASGI's websocket messages over a
// Wire: our own frame codec (frame-socket.ts) when permessage-deflate is not negotiated,
// else the `ws` library's WebSocket (the 101 with the deflate answer, inflate/deflate).
import type { Socket } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { Logger, ResponseHeaders, Send, SendMessage, WebSocketDisconnectMessage, WebSocketEvent } from '../types.js';
import { FrameSocket } from './frame-socket.js';
import { FIELD, checkName } from '../http/fields.js';
import { type UpgradeRequest, offersDeflate, switchingProtocols } from './handshake.js';

export interface WebSocketOptions {
  /** Largest message (after reassembly and inflation) in bytes; more closes with 1009. */
  maxMessageSize: number;
  /** Negotiate permessage-deflate (RFC 7692) when the client offers it. */
  perMessageDeflate: boolean;
  /** Milliseconds between pings (0: none); a pong missing for pingTimeout ms closes the connection. */
  pingInterval: number;
  pingTimeout: number;
  /** Bytes queued on the socket before send() waits for 'drain'. */
  writeHighWater: number;
  logger: Logger;
}

/** What a session needs of the HTTP exchange until the handshake completes (server/upgrade.ts). */
export interface Handshake {
  /** An HTTP response message (http.response.start/body) refusing the upgrade. */
  respond(msg: SendMessage): Promise<void>;
  /** Refuses with `status` unless a response has begun (then the connection is cut). */
  refuse(status: number): void;
  /** The app's extra 101 header fields, checked, as 'name: value' lines. Throws TypeError. */
  headerLines(headers: ResponseHeaders | undefined): string[];
  /** Hands the socket and the bytes read after the head over once earlier responses are out. */
  takeSocket(onSocket: (socket: Socket, head: Buffer) => void): void;
  /** The session is over: the exchange goes back to the pool. */
  done(): void;
}

/** A request as handleUpgrade() reads it, plus what the app chose on accept. */
interface AcceptedRequest extends UpgradeRequest {
  protocol: string | null;
  extra: string[];
}

/** What the session needs of an open websocket: our FrameSocket, or `ws`'s WebSocket behind WsWire. */
interface Wire {
  readonly bufferedAmount: number;
  sendText(text: string): void;
  sendBytes(bytes: Uint8Array): void;
  /** Throws on a code or reason RFC 6455 §7.4 does not allow on the wire. */
  close(code: number, reason: string): void;
  ping(): void;
  pause(): void;
  resume(): void;
  terminate(): void;
  /** Calls `cb` once what was sent so far has left for the socket (at once if nothing waits). */
  whenDrained(cb: () => void): void;
}

const STATE = { CONNECTING: 0, ACCEPTING: 1, OPEN: 2, CLOSING: 3, CLOSED: 4 } as const;
const CONNECT: WebSocketEvent = Object.freeze({ type: 'websocket.connect' });
const RESOLVED = Promise.resolve();
/** Messages the app has not received yet before the socket stops being read (and their bytes). */
const QUEUE_HIGH = 64;
const QUEUE_HIGH_BYTES = 1024 * 1024;

/** The sessions of one server: the shared `ws` handshake settings, and shutdown. */
export class WebSocketHost {
  readonly options: WebSocketOptions;
  readonly wss: WebSocketServer;
  readonly open = new Set<AsgiWebSocket>();
  shuttingDown = false;

  constructor(options: WebSocketOptions) {
    this.options = options;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxMessageSize,
      perMessageDeflate: options.perMessageDeflate,
      handleProtocols: pickProtocol as never,
    });
    this.wss.on('headers', addHeaders as never);
  }

  /** Server shutdown: every open websocket is closed with 1001; resolves when all have closed. */
  goingAway(): Promise<void> {
    this.shuttingDown = true;
    const closing: Promise<void>[] = [];
    for (const s of this.open) closing.push(s.goingAway());
    return Promise.all(closing).then(noop);
  }
}

function pickProtocol(_offered: Set<string>, req: AcceptedRequest): string | false {
  return req.protocol ?? false;
}
function addHeaders(headers: string[], req: AcceptedRequest): void {
  for (const line of req.extra) headers.push(line);
}
function noop(): void {}

/** One websocket: the app's receive() and send() (ASGI messages) over a Wire. */
export class AsgiWebSocket {
  readonly receive: () => Promise<WebSocketEvent>;
  readonly send: Send;
  private state: number = STATE.CONNECTING;
  private readonly host: WebSocketHost;
  private readonly handshake: Handshake;
  private readonly req: AcceptedRequest;
  private wire: Wire | null = null;
  private connected = false;
  private readonly queue: WebSocketEvent[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private paused = false;
  private waiter: ((m: WebSocketEvent) => void) | null = null;
  private drainWaiters: (() => void)[] = [];
  private opened: (() => void) | null = null;
  private disconnect: WebSocketDisconnectMessage | null = null;
  private denying = false;
  private appDone = false;
  private appError = false;
  private released = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private closeWaiters: (() => void)[] = [];

  constructor(host: WebSocketHost, handshake: Handshake, req: UpgradeRequest) {
    this.host = host;
    this.handshake = handshake;
    this.req = { ...req, protocol: null, extra: [] };
    this.receive = () => this.doReceive();
    this.send = (msg) => this.doSend(msg);
  }

  // ---- receive -------------------------------------------------------------------

  private doReceive(): Promise<WebSocketEvent> {
    if (!this.connected) {
      this.connected = true;
      return Promise.resolve(CONNECT);
    }
    const q = this.queue;
    if (this.queueHead < q.length) {
      const m = q[this.queueHead]!;
      q[this.queueHead++] = CONNECT; // drop the reference
      if (m.type === 'websocket.receive') this.queuedBytes -= m.text !== undefined ? m.text.length : m.bytes!.length;
      if (this.queueHead === q.length) {
        q.length = 0;
        this.queueHead = 0;
      }
      if (this.paused && q.length - this.queueHead < QUEUE_HIGH / 2 && this.queuedBytes < QUEUE_HIGH_BYTES / 2) {
        this.paused = false;
        this.wire?.resume();
      }
      return Promise.resolve(m);
    }
    if (this.disconnect !== null) return Promise.resolve(this.disconnect);
    if (this.waiter !== null) return Promise.reject(new Error('receive() called while an earlier receive() is still waiting'));
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  private deliver(m: WebSocketEvent, size: number): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w(m);
      return;
    }
    this.queue.push(m);
    this.queuedBytes += size;
    // A handler that does not receive() stops the socket being read (bounded memory).
    if (!this.paused && (this.queue.length - this.queueHead >= QUEUE_HIGH || this.queuedBytes >= QUEUE_HIGH_BYTES)) {
      this.paused = true;
      this.wire?.pause();
    }
  }

  /** A whole message from the wire (UTF-8 already checked). */
  onMessage(text: string | undefined, bytes: Buffer | undefined): void {
    if (this.state !== STATE.OPEN) return; // after our close frame, only the peer's close matters
    if (text !== undefined) this.deliver({ type: 'websocket.receive', text }, text.length);
    else this.deliver({ type: 'websocket.receive', bytes }, bytes!.length);
  }

  // ---- send ----------------------------------------------------------------------

  private doSend(msg: SendMessage): Promise<void> {
    switch (msg.type) {
      case 'websocket.send':
        return this.sendMessage(msg.text, msg.bytes);
      case 'websocket.accept':
        return this.accept(msg.subprotocol ?? null, msg.headers);
      case 'websocket.close':
        return this.close(msg.code ?? 1000, msg.reason ?? '');
      case 'websocket.http.response.start':
        return this.deny({ type: 'http.response.start', status: msg.status, headers: msg.headers });
      case 'websocket.http.response.body':
        return this.deny({ type: 'http.response.body', body: msg.body, moreBody: msg.moreBody });
      // A middleware or framework answering a websocket scope over HTTP: the same denial.
      case 'http.response.start':
      case 'http.response.body':
        return this.deny(msg);
    }
    return Promise.reject(new TypeError(`Unknown message type on a websocket: ${(msg as { type: string }).type}`));
  }

  private sendMessage(text: string | null | undefined, bytes: Uint8Array | null | undefined): Promise<void> {
    const ws = this.wire;
    if (this.state !== STATE.OPEN || ws === null) {
      return Promise.reject(new Error(this.state < STATE.OPEN ? 'websocket.send before websocket.accept' : 'websocket.send after the websocket closed'));
    }
    if (typeof text === 'string') ws.sendText(text);
    else if (bytes instanceof Uint8Array) ws.sendBytes(bytes);
    else return Promise.reject(new TypeError('websocket.send needs text (a string) or bytes (a Uint8Array)'));
    // A client that does not read: send() waits for the socket to drain, memory stays bounded.
    if (ws.bufferedAmount > this.host.options.writeHighWater) return this.waitDrain();
    return RESOLVED;
  }

  private waitDrain(): Promise<void> {
    return new Promise((resolve) => {
      if (this.drainWaiters.length === 0) this.wire!.whenDrained(() => this.wakeDrain());
      this.drainWaiters.push(resolve);
    });
  }

  private wakeDrain(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  }

  private accept(subprotocol: string | null, headers: ResponseHeaders | undefined): Promise<void> {
    if (this.state !== STATE.CONNECTING || this.denying) return Promise.reject(new Error('websocket.accept after the handshake was answered'));
    if (this.disconnect !== null) return RESOLVED; // the client left: receive() says so
    try {
      this.req.extra = this.handshake.headerLines(headers);
    } catch (err) {
      return Promise.reject(err);
    }
    if (subprotocol !== null && checkName(subprotocol) !== FIELD.OK) return Promise.reject(new TypeError(`Invalid subprotocol: ${JSON.stringify(subprotocol)}`));
    this.req.protocol = subprotocol;
    this.state = STATE.ACCEPTING;
    return new Promise((resolve) => {
      this.opened = resolve;
      this.handshake.takeSocket((socket, head) => this.open(socket, head));
    });
  }

  private open(socket: Socket, head: Buffer): void {
    const { options } = this.host;
    const req = this.req;
    let fs: FrameSocket | null = null;
    if (options.perMessageDeflate && offersDeflate(req.headers['sec-websocket-extensions'])) {
      let ws: WebSocket | null = null;
      // Synchronous in noServer mode: ws writes the 101 (or a 400 for an offer it refuses).
      this.host.wss.handleUpgrade(req as never, socket, head, (w) => {
        ws = w;
      });
      if (ws === null) {
        this.closed(1006, '');
        return;
      }
      this.wire = new WsWire(ws, this);
    } else {
      socket.setTimeout(0);
      socket.write(switchingProtocols(req.headers['sec-websocket-key']!, req.headers['sec-websocket-protocol'] === undefined ? null : req.protocol, req.extra));
      fs = new FrameSocket(socket, this, options.maxMessageSize);
      this.wire = fs;
    }
    this.state = STATE.OPEN;
    this.host.open.add(this);
    if (options.pingInterval > 0) {
      this.pingTimer = setInterval(() => this.ping(), options.pingInterval);
      this.pingTimer.unref();
    }
    const opened = this.opened;
    this.opened = null;
    opened?.();
    if (this.host.shuttingDown) this.wire.close(1001, 'Server shutting down');
    else if (this.appDone) this.wire.close(this.appError ? 1011 : 1000, '');
    // Frames that came with the handshake's packet.
    else if (fs !== null && head.length > 0) fs.onData(head);
  }

  private close(code: number, reason: string): Promise<void> {
    if (this.state === STATE.CONNECTING) {
      // ASGI: a close before accept refuses the handshake with 403.
      if (!this.denying) this.deny403();
      return RESOLVED;
    }
    if (this.state === STATE.OPEN) {
      try {
        this.wire!.close(code, reason);
      } catch (err) {
        return Promise.reject(err);
      }
      this.closing();
    }
    return RESOLVED;
  }

  private deny403(): void {
    this.denying = true;
    this.handshake.refuse(403);
    this.closed(1006, '');
  }

  private deny(msg: SendMessage): Promise<void> {
    if (this.state !== STATE.CONNECTING) return Promise.reject(new Error(`${msg.type} after websocket.accept`));
    this.denying = true;
    const r = this.handshake.respond(msg);
    if (msg.type === 'http.response.body' && msg.moreBody !== true) this.closed(1006, '');
    return r;
  }

  // ---- liveness and the end --------------------------------------------------------

  private ping(): void {
    if (this.pongTimer !== null || this.wire === null) return;
    this.wire.ping();
    this.pongTimer = setTimeout(() => this.wire?.terminate(), this.host.options.pingTimeout);
    this.pongTimer.unref();
  }

  onPong(): void {
    if (this.pongTimer !== null) {
      clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
  }

  goingAway(): Promise<void> {
    if (this.state === STATE.CLOSED) return RESOLVED;
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      if (this.state === STATE.OPEN) {
        this.wire!.close(1001, 'Server shutting down');
        this.closing();
      }
    });
  }

  /** We sent a close frame: read again (if paused for the app) so the peer's close, or its EOF, is seen. */
  private closing(): void {
    this.state = STATE.CLOSING;
    if (this.paused) {
      this.paused = false;
      this.wire!.resume();
    }
  }

  /** The client left before the handshake completed (server/upgrade.ts watches the exchange). */
  gone(): void {
    if (this.state === STATE.CONNECTING || this.state === STATE.ACCEPTING) this.closed(1006, '');
  }

  onClosed(code: number, reason: string): void {
    this.closed(code, reason);
  }

  onError(message: string): void {
    this.host.options.logger.debug?.(message);
  }

  private closed(code: number, reason: string): void {
    if (this.state === STATE.CLOSED) return;
    this.state = STATE.CLOSED;
    this.disconnect = { type: 'websocket.disconnect', code, reason };
    this.host.open.delete(this);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    if (this.pongTimer !== null) clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = null;
    const w = this.waiter;
    this.waiter = null;
    if (w !== null && this.queueHead >= this.queue.length) w(this.disconnect);
    else if (w !== null) this.waiter = w;
    this.wakeDrain();
    const opened = this.opened;
    this.opened = null;
    opened?.();
    const cw = this.closeWaiters;
    this.closeWaiters = [];
    for (const f of cw) f();
    this.maybeDone();
  }

  /** The app returned or threw. */
  appEnded(err: unknown): void {
    this.appDone = true;
    if (err !== null) {
      this.appError = true;
      this.host.options.logger.error('Exception in application', err);
    }
    if (this.state === STATE.CONNECTING) {
      // Returned before accept (ASGI: 403), or failed (500); a denial already begun is cut.
      this.denying = true;
      this.handshake.refuse(err !== null ? 500 : 403);
      this.closed(1006, '');
    } else if (this.state === STATE.OPEN) {
      // Returned without closing: close normally; failed: 1011 (internal error).
      this.wire!.close(err !== null ? 1011 : 1000, '');
      this.closing();
    }
    this.maybeDone();
  }

  private maybeDone(): void {
    if (this.released || !this.appDone || this.state !== STATE.CLOSED) return;
    this.released = true;
    this.handshake.done();
  }
}

/** `ws`'s WebSocket (the permessage-deflate case) as a Wire. */
class WsWire implements Wire {
  private readonly ws: WebSocket;
  /** Messages handed to ws, and those whose write callback has run (ws keeps their order). */
  private sent = 0;
  private written = 0;
  private drainAt = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly onWritten = (): void => {
    if (++this.written < this.drainAt) return;
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  };

  constructor(ws: WebSocket, session: AsgiWebSocket) {
    this.ws = ws;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = data as Buffer; // binaryType 'nodebuffer'; ws checked the UTF-8
      if (isBinary) session.onMessage(undefined, buf);
      else session.onMessage(buf.toString(), undefined);
    });
    ws.on('close', (code, reason) => session.onClosed(code, reason.toString()));
    ws.on('error', (err) => session.onError(`websocket: ${err.message}`));
    ws.on('pong', () => session.onPong());
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  sendText(text: string): void {
    this.sent++;
    this.ws.send(text, this.onWritten);
  }
  sendBytes(bytes: Uint8Array): void {
    this.sent++;
    this.ws.send(bytes, this.onWritten);
  }
  // Not the socket's 'drain': a message still being compressed is in ws's queue, not the
  // socket's, and its small compressed form may never fill the socket (no 'drain' then).
  whenDrained(cb: () => void): void {
    if (this.written >= this.sent) {
      process.nextTick(cb);
      return;
    }
    this.drainAt = this.sent;
    this.drainWaiters.push(cb);
  }
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
  ping(): void {
    this.ws.ping();
  }
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
  terminate(): void {
    this.ws.terminate();
  }
}
