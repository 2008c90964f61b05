// The WebSocket a websocket route's handler gets: Starlette's WebSocket with camelCase
// names, over the ASGI websocket messages (the server's own protocol, websocket/session.ts,
// or whatever onUpgrade hook takes the socket after accept()).
import type { HeaderView, Logger, Receive, ResponseHeaders, Scope, Send, WebSocketEvent, WebSocketReceive } from '../types.js';
import { fail } from './reply.js';
import { Request, type RequestURL } from './request.js';
import type { Route } from './router.js';

/** A websocket route's handler. */
export type WebSocketHandler = (ws: WebSocket) => unknown;

/** The client closed (or went): thrown by the receive methods, like Starlette's WebSocketDisconnect. */
export class WebSocketDisconnect extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code = 1000, reason = '') {
    super(`WebSocket closed (${code}${reason === '' ? '' : ` ${reason}`})`);
    this.name = 'WebSocketDisconnect';
    this.code = code;
    this.reason = reason;
  }
}

const STATE = { CONNECTING: 0, CONNECTED: 1, DISCONNECTED: 2 } as const;

export class WebSocket {
  readonly scope: Scope;
  private readonly request: Request;
  private readonly receiveFn: WebSocketReceive;
  private readonly sendFn: Send;
  private clientState: number = STATE.CONNECTING;
  private appState: number = STATE.CONNECTING;

  constructor(scope: Scope, receive: Receive, send: Send, route: Route<unknown> | null = null, matched: string | null = null) {
    this.scope = scope;
    this.request = new Request(scope, receive, route, matched);
    this.receiveFn = receive as unknown as WebSocketReceive;
    this.sendFn = send;
  }

  get url(): RequestURL {
    return this.request.url;
  }
  get headers(): HeaderView {
    return this.request.headers;
  }
  get client(): [string, number] | null {
    return this.request.client;
  }
  get pathParams(): Record<string, string> {
    return this.request.pathParams;
  }
  get query(): URLSearchParams {
    return this.request.query;
  }
  /** Whether accept() has completed and close() has not been called. */
  get accepted(): boolean {
    return this.appState === STATE.CONNECTED;
  }

  /** The next ASGI message (websocket.connect, websocket.receive, websocket.disconnect). */
  async receive(): Promise<WebSocketEvent> {
    if (this.clientState === STATE.DISCONNECTED) throw new Error('receive() after the websocket.disconnect message');
    const m = await this.receiveFn();
    if (m.type === 'websocket.connect') this.clientState = STATE.CONNECTED;
    else if (m.type === 'websocket.disconnect') this.clientState = STATE.DISCONNECTED;
    return m;
  }

  async accept(o: { subprotocol?: string | null; headers?: ResponseHeaders } = {}): Promise<void> {
    if (this.clientState === STATE.CONNECTING) await this.receive();
    if (this.appState !== STATE.CONNECTING) throw new Error('accept() called twice');
    await this.sendFn({ type: 'websocket.accept', subprotocol: o.subprotocol ?? null, headers: o.headers });
    this.appState = STATE.CONNECTED;
  }

  private async message(): Promise<{ text?: string; bytes?: Uint8Array }> {
    if (this.appState !== STATE.CONNECTED) throw new Error('WebSocket is not connected: call accept() first');
    const m = await this.receive();
    if (m.type === 'websocket.disconnect') throw new WebSocketDisconnect(m.code, m.reason);
    if (m.type !== 'websocket.receive') throw new Error(`unexpected ${m.type}`);
    return m;
  }

  async receiveText(): Promise<string> {
    const m = await this.message();
    if (m.text === undefined) throw new TypeError('expected a text message, got a binary one');
    return m.text;
  }

  async receiveBytes(): Promise<Uint8Array> {
    const m = await this.message();
    if (m.bytes === undefined) throw new TypeError('expected a binary message, got a text one');
    return m.bytes;
  }

  /** A text or binary message parsed as JSON. */
  async receiveJson(): Promise<unknown> {
    const m = await this.message();
    return JSON.parse(m.text ?? Buffer.from(m.bytes!).toString());
  }

  sendText(text: string): Promise<void> {
    return this.sendFn({ type: 'websocket.send', text });
  }
  sendBytes(bytes: Uint8Array): Promise<void> {
    return this.sendFn({ type: 'websocket.send', bytes });
  }
  sendJson(data: unknown): Promise<void> {
    return this.sendFn({ type: 'websocket.send', text: JSON.stringify(data) });
  }

  /** Closes (after accept), or refuses the handshake with 403 (before). */
  async close(code = 1000, reason = ''): Promise<void> {
    this.appState = STATE.DISCONNECTED;
    await this.sendFn({ type: 'websocket.close', code, reason });
  }

  /** Text messages until the client closes. */
  async *iterText(): AsyncGenerator<string> {
    for (;;) {
      const m = await this.next();
      if (m === null) return;
      if (m.text === undefined) throw new TypeError('expected a text message, got a binary one');
      yield m.text;
    }
  }

  /** Binary messages until the client closes. */
  async *iterBytes(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const m = await this.next();
      if (m === null) return;
      if (m.bytes === undefined) throw new TypeError('expected a binary message, got a text one');
      yield m.bytes;
    }
  }

  /** `for await (const msg of ws)`: every message (string or bytes) until the client closes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<string | Uint8Array> {
    for (;;) {
      const m = await this.next();
      if (m === null) return;
      yield m.text ?? m.bytes!;
    }
  }

  private async next(): Promise<{ text?: string; bytes?: Uint8Array } | null> {
    try {
      return await this.message();
    } catch (err) {
      if (err instanceof WebSocketDisconnect) return null;
      throw err;
    }
  }
}

/**
 * Runs a websocket route. A WebSocketDisconnect that escapes the handler is the normal
 * end; another error before accept answers over HTTP (500, or an HTTPException's
 * status), after accept closes with 1011. A handler that returns without accepting is
 * refused with 403 and one that returns without closing is closed with 1000 (the server
 * does both, websocket/session.ts).
 */
export async function serveWebSocket(route: Route<unknown>, scope: Scope, receive: Receive, send: Send, matched: string, logger: Logger): Promise<void> {
  const ws = new WebSocket(scope, receive, send, route, matched);
  try {
    await (route.handler as WebSocketHandler)(ws);
  } catch (err) {
    if (err instanceof WebSocketDisconnect) return;
    if (!ws.accepted) return fail(send, err, logger, scope);
    try {
      logger.error(`websocket ${scope.path}: handler failed`, err);
    } catch {
      // a failing logger must not keep the socket open
    }
    await send({ type: 'websocket.close', code: 1011, reason: '' }).catch(() => {});
  }
}
