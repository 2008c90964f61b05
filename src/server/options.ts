import type { Logger, Scope, UpgradeHook } from '../types.js';

/** Transport limits and hooks. Names follow node:http's where one exists. */
export interface TransportOptions {
  /** Largest request head in bytes (request line + header lines); more → 431. node:http: 16 KiB. */
  maxHeaderSize?: number;
  /** Longest request target in bytes; more → 414 (0: only maxHeaderSize limits it). Default 8 KiB. */
  maxUrlLength?: number;
  /** Time allowed to receive a complete head, from its first byte (or from accept for the first request); → 408 and close. */
  headersTimeout?: number;
  /** Time allowed to receive a whole request, head and body; → 408 and close. */
  requestTimeout?: number;
  /**
   * Idle time before a keep-alive connection is closed. Default 65 s: longer than the
   * idle timeouts of the balancers in front (AWS ALB: 60 s), so the balancer always
   * closes first and never reuses a connection this server is closing.
   */
  keepAliveTimeout?: number;
  /** Requests served per connection before it is closed (0 = unlimited). */
  maxRequestsPerSocket?: number;
  /**
   * Largest request body in bytes; more → 413. Default: no limit (as node:http), since a
   * streamed upload is the app's to bound; buffered reads have their own caps (fetch
   * adapter: maxBufferedBodySize).
   */
  maxBodySize?: number;
  /** Connections served at once, upgraded ones (websockets) included (0 = unlimited); more are answered 503 and closed. */
  maxConnections?: number;
  /** Requests in flight per connection before reading pauses (pipelining flood guard). */
  maxPipelined?: number;
  /**
   * The client's half-close (FIN) while requests are in flight. true (the default): they
   * are answered, then the connection closes (RFC 9112 §9.6 lets a client half-close after
   * its last request; `printf … | nc` and our own raw-socket tests do). false: the FIN is
   * a disconnect, as on node:http (`httpAllowHalfOpen` false, its default) and uvicorn:
   * the connection is closed at once, every app in flight gets http.disconnect, and what
   * it sends afterwards goes nowhere. fasterapi/node sets false.
   */
  allowHalfOpen?: boolean;
  /** A connection whose client reads nothing for this long while output is queued is dropped. */
  sendTimeout?: number;
  /** Bytes queued on a socket before reading pauses until 'drain'. */
  writeHighWater?: number;
  /** Value of a Server header; none is sent when null (the default). */
  serverHeader?: string | null;
  /** Fields every response carries (uvicorn's --header), after Date and Server; checked at start-up. */
  headers?: ReadonlyArray<readonly [string, string]>;
  /** false: no Date field (uvicorn's --no-date-header; RFC 9110 §6.6.1 lets a server without a clock omit it). Default true. */
  dateHeader?: boolean;
  logger?: Logger;
  /**
   * On close() (SIGTERM in the CLI): how long in-flight requests may take before their
   * connections are cut, so shutdown ends whatever the app does. uvicorn's
   * --timeout-graceful-shutdown (which has no default); 30 s here, what process managers
   * commonly wait before SIGKILL. 0: wait for ever.
   */
  timeoutGracefulShutdown?: number;
  /**
   * ASGI lifespan: 'auto' (default) sends lifespan.startup / lifespan.shutdown to apps that
   * declare they handle them (Faster apps); 'on' to any app (a failure is fatal); 'off' never.
   */
  lifespan?: 'auto' | 'on' | 'off';
  /**
   * Called once per response when it has ended, before the scope is released: the access
   * log's hook (no wrapper around the app or its send). `startedAt` is performance.now()
   * at the request's first byte. Must not throw; its errors are logged and dropped.
   */
  onResponse?: ((scope: Scope, status: number, startedAt: number) => void) | null;
  /** Receives upgrade requests the app accepted with { type: 'websocket.accept' }. */
  onUpgrade?: UpgradeHook | null;
  /** Without onUpgrade: largest WebSocket message in bytes (after reassembly and inflation); more closes with 1009. Default 16 MiB. */
  wsMaxSize?: number;
  /** Milliseconds between pings on an open WebSocket (0: none). Default 20 s (uvicorn's --ws-ping-interval). */
  wsPingInterval?: number;
  /** Milliseconds a pong may take before the connection is dropped. Default 20 s (uvicorn's --ws-ping-timeout). */
  wsPingTimeout?: number;
  /** Negotiate permessage-deflate (RFC 7692) when a client offers it. Default true (uvicorn's --ws-per-message-deflate). */
  wsPerMessageDeflate?: boolean;
}

export const DEFAULTS = {
  maxHeaderSize: 16 * 1024,
  maxUrlLength: 8 * 1024,
  headersTimeout: 60_000,
  requestTimeout: 300_000,
  keepAliveTimeout: 65_000,
  maxRequestsPerSocket: 0,
  maxBodySize: Number.MAX_SAFE_INTEGER,
  maxConnections: 0,
  maxPipelined: 64,
  allowHalfOpen: true,
  sendTimeout: 30_000,
  writeHighWater: 256 * 1024,
  wsMaxSize: 16 * 1024 * 1024,
  wsPingInterval: 20_000,
  wsPingTimeout: 20_000,
  wsPerMessageDeflate: true,
  timeoutGracefulShutdown: 30_000,
} as const;

/** Default cap of a body read whole by the app layers (Faster's body(), the fetch adapter's text()/json()/…). */
export const MAX_BUFFERED_BODY = 64 * 1024 * 1024;

/** `maxBufferedBodySize` as given, or the default; a TypeError at start-up when it is not a size. */
export function bufferedBodyCap(value: number | undefined): number {
  const cap = value ?? MAX_BUFFERED_BODY;
  if (!Number.isSafeInteger(cap) || cap < 0) throw new TypeError(`maxBufferedBodySize must be an integer >= 0, got ${cap}`);
  return cap;
}
