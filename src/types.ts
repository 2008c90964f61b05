// The transport interface every stage and framework is written against.
// ASGI semantics (https://asgi.readthedocs.io/en/latest/specs/www.html), camelCase names.

/** Read-only, zero-copy view of the request header fields (see scope/headers.ts). */
export interface HeaderView {
  /** Number of header lines as received (repeated names count once per line). */
  readonly size: number;
  /** Case-insensitive lookup; repeated fields joined with ", " (RFC 9110 §5.3). null when absent. */
  get(name: string): string | null;
  has(name: string): boolean;
  /** Lowercased name of line i. */
  nameAt(i: number): string;
  /** Value of line i, latin1-decoded, surrounding whitespace already removed by llhttp. */
  valueAt(i: number): string;
  /** [lowercased name, value] per received line, in order. Allocates: for frameworks, not the hot path. */
  entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

/**
 * 'lifespan' scopes carry only `type` and `state` (ASGI lifespan): an app that handles
 * http and websocket alone passes them on or returns (see server/lifespan.ts).
 */
export type ScopeType = 'http' | 'websocket' | 'lifespan';

/** The per-request scope. The transport hands out a pooled object: valid until the response ends. */
export interface Scope {
  type: ScopeType;
  httpVersion: '1.0' | '1.1';
  method: string;
  /** 'http' | 'https' | 'ws' | 'wss', resolved by the trust stage. */
  scheme: string;
  /** [host, port] the client addressed (Host / trusted X-Forwarded-Host), or the listening address. */
  server: [string, number | null];
  /** [address, port] of the real client as resolved by the trust stage, or null. */
  client: [string, number] | null;
  /** Mount point: static rootPath or a trusted X-Forwarded-Prefix; '' when none. */
  rootPath: string;
  /**
   * Percent-decoded path as received: it starts with rootPath when the request carried the
   * prefix, and not when the proxy removed it. Route on routePath(scope), which removes
   * rootPath in both cases (Starlette's rule); a middleware may set rootPath alone.
   */
  path: string;
  /** Path as received, not decoded, without the query. */
  rawPath: string;
  /** Raw query string without '?', '' when none. */
  queryString: string;
  headers: HeaderView;
  /** [address, port] of the TCP peer (or of the PROXY protocol source) before header trust. */
  peer: [string, number] | null;
  /** Free-form per-request state for middlewares and frameworks (ASGI "state"). */
  state: Record<string, unknown> | null;
  /**
   * Host a trusted proxy forwarded (X-Forwarded-Host or Forwarded host=, lowercased),
   * checked by the trust stage against the strict host grammar (http/host.ts FORWARDED);
   * null when none. `server` is built from it. The transport's scopes always carry it;
   * optional for scopes made elsewhere.
   */
  forwardedHost?: string | null;
  /** Port from a trusted X-Forwarded-Port (1-65535), -1 when none; it wins over the host's port in `server`. */
  forwardedPort?: number;
  /**
   * The authority the request named, as received: an absolute-form target's authority
   * (RFC 9112 §3.2.2: it wins over Host), else the Host field value (which passed the
   * RFC's Host grammar, nothing stricter); null when neither. Not a trusted value: it
   * ignores forwarding headers (see forwardedHost). Made as a string on each read.
   */
  readonly authority?: string | null;
}

export interface RequestMessage {
  type: 'http.request';
  body: Uint8Array;
  moreBody: boolean;
}
export interface DisconnectMessage {
  type: 'http.disconnect';
}
/** First message of a websocket scope (ASGI websocket.connect). */
export interface WebSocketConnectMessage {
  type: 'websocket.connect';
}
/** A whole message from the client: `text` for a text frame, `bytes` for a binary one. */
export interface WebSocketReceiveMessage {
  type: 'websocket.receive';
  text?: string;
  bytes?: Uint8Array;
}
/** The websocket closed (close frame from either side, or the connection went): the last message. */
export interface WebSocketDisconnectMessage {
  type: 'websocket.disconnect';
  code: number;
  reason: string;
}
/** What receive() gives on a websocket scope (ASGI mode: no onUpgrade hook). */
export type WebSocketEvent = WebSocketConnectMessage | WebSocketReceiveMessage | WebSocketDisconnectMessage;
export type ReceiveMessage = RequestMessage | DisconnectMessage;
/**
 * ASGI lifespan: what receive() gives a 'lifespan' scope, once each. Not in ReceiveMessage,
 * so http code needs no extra narrowing; a lifespan handler reads
 * `(await receive()) as unknown as LifespanMessage`.
 */
export interface LifespanMessage {
  type: 'lifespan.startup' | 'lifespan.shutdown';
}

/** Response header list: [name, value] pairs, or a plain record. */
export type ResponseHeaders = ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string | number | readonly string[]>>;

export interface ResponseStartMessage {
  type: 'http.response.start';
  status: number;
  headers?: ResponseHeaders;
  /**
   * Our extension (ASGI has none): the status line's reason phrase, for node:http's
   * `statusMessage` and fetch's `statusText`. Absent or empty: the standard phrase. A
   * phrase outside RFC 9112's grammar (CR, LF, other controls) throws a TypeError.
   */
  reason?: string;
  /** ASGI's: http.response.trailers follows the last body message, and the response ends with it. */
  trailers?: boolean;
}
export interface ResponseBodyMessage {
  type: 'http.response.body';
  body?: Uint8Array | string;
  moreBody?: boolean;
}
/**
 * ASGI's trailer fields, after the last body message of a response started with
 * `trailers: true`. Written only on a chunked body (RFC 9112 §7.1.2); with any other
 * framing they are checked and dropped. Fields that frame the message or name connection
 * options are refused (TypeError).
 */
export interface ResponseTrailersMessage {
  type: 'http.response.trailers';
  headers?: ResponseHeaders;
  moreTrailers?: boolean;
}
/**
 * Our extension (ASGI has none): drop this request without answering it, as node:http's
 * `req.destroy()`/`res.destroy()` do. Nothing is sent for it (no 500) and nothing is
 * logged; the responses before it on the connection still go out, then the connection
 * closes. After its head went out, the connection is cut at once (a cut message, never a
 * complete-looking one). Once the response has ended, it does nothing.
 */
export interface ResponseAbortMessage {
  type: 'http.response.abort';
}
/**
 * Accepts an upgrade (scope.type 'websocket'): with an onUpgrade hook the socket goes to
 * it (the hook answers the handshake); without one the server completes the WebSocket
 * handshake with this subprotocol and these extra header fields.
 */
export interface UpgradeAcceptMessage {
  type: 'websocket.accept';
  subprotocol?: string | null;
  headers?: ResponseHeaders;
}
/** One message to the client: `text` as a text frame, else `bytes` as a binary one. */
export interface WebSocketSendMessage {
  type: 'websocket.send';
  text?: string | null;
  bytes?: Uint8Array | null;
}
/** Closes the websocket (code 1000 by default); before accept, refuses the handshake with 403. */
export interface WebSocketCloseMessage {
  type: 'websocket.close';
  code?: number;
  reason?: string;
}
/** ASGI's websocket denial response: refuses the handshake with this HTTP response. */
export interface WebSocketResponseStartMessage {
  type: 'websocket.http.response.start';
  status: number;
  headers?: ResponseHeaders;
}
export interface WebSocketResponseBodyMessage {
  type: 'websocket.http.response.body';
  body?: Uint8Array | string;
  moreBody?: boolean;
}
export type WebSocketSendEvent = UpgradeAcceptMessage | WebSocketSendMessage | WebSocketCloseMessage | WebSocketResponseStartMessage | WebSocketResponseBodyMessage;
/** ASGI lifespan answers; `message` says why a step failed. */
export interface LifespanResultMessage {
  type: 'lifespan.startup.complete' | 'lifespan.startup.failed' | 'lifespan.shutdown.complete' | 'lifespan.shutdown.failed';
  message?: string;
}
export type SendMessage = ResponseStartMessage | ResponseBodyMessage | ResponseTrailersMessage | ResponseAbortMessage | WebSocketSendEvent | LifespanResultMessage;

/** Pre-encoded response header block made once by encodeHeaders(): 'name: value\r\n'* bytes. */
export interface EncodedHeaders {
  readonly bytes: Buffer;
  /** True when the block sets content-length itself. */
  readonly framed: boolean;
  /** That content-length (encodeHeaders): the body sent with the block must have exactly this many bytes. */
  readonly length?: number;
  /** The block says connection: close (encodeHeaders): the transport closes after the response. */
  readonly close?: boolean;
  /** The fields as [name, value] pairs, for the message path (respond() behind a wrapped send). */
  readonly fields?: ReadonlyArray<readonly [string, string]>;
}

/**
 * ASGI send. The whole-response fast path is `respond(send, status, head, body)`
 * (server/respond.ts): it takes it when `send` is the transport's own, and sends these
 * messages when a middleware wrapped it.
 */
export type Send = (message: SendMessage) => Promise<void>;

export type Receive = () => Promise<ReceiveMessage>;
/** receive() of a websocket scope: `receive as unknown as WebSocketReceive` (the App type keeps HTTP's). */
export type WebSocketReceive = () => Promise<WebSocketEvent>;

export type App = (scope: Scope, receive: Receive, send: Send) => void | Promise<void>;

/** Called for upgrade requests (scope.type 'websocket') that passed the trust stage and middlewares. */
export type UpgradeHook = (scope: Scope, socket: import('node:net').Socket, head: Buffer) => void;

export interface Logger {
  error(message: string, err?: unknown): void;
  warn(message: string): void;
  info(message: string): void;
  debug?(message: string): void;
}
