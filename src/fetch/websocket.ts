// WebSockets for fetch-style apps: `upgradeWebSocket` for Hono (the same shape as
// @hono/node-ws's, which cannot be used here: it wants @hono/node-server 1.x and the
// server's 'upgrade' event). Runs over the ASGI websocket messages of the request's
// websocket scope. Only hono's types are imported: hono is not a dependency of ours.
import type { Context, MiddlewareHandler } from 'hono';
import type { UpgradeWebSocket, WSEvents, WSReadyState } from 'hono/ws';
import type { Receive, Send, WebSocketReceive } from '../types.js';

/** A websocket scope's receive/send, found from the Request the handler gets. */
interface Channel {
  receive: WebSocketReceive;
  send: Send;
  /** The session the helper started (the app waits for it), or null. */
  running: Promise<void> | null;
}

const channels = new WeakMap<object, Channel>();

/** The response the helper returns for an accepted upgrade: nothing of it is written. */
export const UPGRADED: Response = Object.freeze(Object.create(null)) as Response;

/** Registers a websocket scope's receive/send for `request` (fetch/handler.ts). */
export function openChannel(request: object, receive: Receive, send: Send): Channel {
  const ch: Channel = { receive: receive as unknown as WebSocketReceive, send, running: null };
  channels.set(request, ch);
  return ch;
}

/** upgradeWebSocket answered: the app lasts as long as the websocket. */
export function upgraded(request: object): Promise<void> {
  return channels.get(request)!.running!;
}

/** What Hono's WSContext needs (hono/ws WSContextInit), over ASGI messages. */
class Socket {
  readyState: WSReadyState = 1;
  readonly raw = undefined;
  readonly url: URL | null;
  readonly protocol: string | null;
  binaryType: BinaryType = 'arraybuffer';
  private readonly ch: Channel;

  constructor(ch: Channel, url: string, protocol: string | null) {
    this.ch = ch;
    this.url = new URL(url);
    this.protocol = protocol;
  }

  send(data: string | ArrayBuffer | Uint8Array, _options?: { compress?: boolean }): void {
    if (this.readyState !== 1) return;
    const msg =
      typeof data === 'string'
        ? { type: 'websocket.send' as const, text: data }
        : { type: 'websocket.send' as const, bytes: data instanceof Uint8Array ? data : new Uint8Array(data) };
    this.ch.send(msg).catch(ignore);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState > 1) return;
    this.readyState = 2;
    this.ch.send({ type: 'websocket.close', code, reason }).catch(ignore);
  }
}

function ignore(): void {}

function event<T extends object>(type: string, fields: T): Event & T {
  return Object.assign(new Event(type), fields);
}

async function run(ch: Channel, c: Context, events: WSEvents<undefined>, protocol: string | null): Promise<void> {
  await ch.receive(); // websocket.connect
  await ch.send({ type: 'websocket.accept', subprotocol: protocol });
  const ws = new Socket(ch, c.req.url, protocol);
  events.onOpen?.(new Event('open'), ws as never);
  for (;;) {
    const m = await ch.receive();
    if (m.type === 'websocket.disconnect') {
      ws.readyState = 3;
      events.onClose?.(event('close', { code: m.code, reason: m.reason, wasClean: m.code !== 1006 }) as never, ws as never);
      return;
    }
    if (m.type !== 'websocket.receive') continue;
    const data = m.text ?? m.bytes!.buffer.slice(m.bytes!.byteOffset, m.bytes!.byteOffset + m.bytes!.byteLength);
    events.onMessage?.(new MessageEvent('message', { data }) as never, ws as never);
  }
}

/** Options: the subprotocol to accept with (none by default). */
export interface UpgradeOptions {
  protocol?: string;
}

async function upgrade(c: Context, events: WSEvents<undefined>, options?: UpgradeOptions): Promise<Response | undefined> {
  const ch = channels.get(c.req.raw);
  if (ch === undefined || ch.running !== null) return undefined; // not a websocket scope: the next handler answers
  ch.running = run(ch, c, events, options?.protocol ?? null).catch((err) => {
    events.onError?.(event('error', { error: err }) as never, undefined as never);
    throw err;
  });
  return UPGRADED;
}

/**
 * Hono's `upgradeWebSocket` on fasterapi's transport (`serve()` from fasterapi/fetch):
 * `app.get('/ws', upgradeWebSocket((c) => ({ onMessage(e, ws) { ws.send(e.data) } })))`.
 */
export const upgradeWebSocket: UpgradeWebSocket<undefined, UpgradeOptions> = ((...args: unknown[]) => {
  if (typeof args[0] === 'function') {
    const [createEvents, options] = args as [(c: Context) => WSEvents<undefined> | Promise<WSEvents<undefined>>, UpgradeOptions | undefined];
    const middleware: MiddlewareHandler = async (c, next) => {
      const res = await upgrade(c, await createEvents(c), options);
      if (res !== undefined) return res;
      await next();
    };
    return middleware;
  }
  const [c, events, options] = args as [Context, WSEvents<undefined>, UpgradeOptions | undefined];
  return upgrade(c, events, options).then((res) => {
    if (res === undefined) throw new Error('Failed to upgrade WebSocket');
    return res;
  });
}) as UpgradeWebSocket<undefined, UpgradeOptions>;
