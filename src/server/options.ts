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
  /** Largest request body in bytes; more → 413. Default 1 MiB. */
  maxBodySize?: number;
  /** Connections served at once (0 = unlimited); more are answered 503 and closed. */
  maxConnections?: number;
  /** Requests in flight per connection before reading pauses (pipelining flood guard). */
  maxPipelined?: number;
  /** A connection whose client reads nothing for this long while output is queued is dropped. */
  sendTimeout?: number;
  /** Bytes queued on a socket before reading pauses until 'drain'. */
  writeHighWater?: number;
  /** Value of a Server header; none is sent when null (the default). */
  serverHeader?: string | null;
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
}

export const DEFAULTS = {
  maxHeaderSize: 16 * 1024,
  maxUrlLength: 8 * 1024,
  headersTimeout: 60_000,
  requestTimeout: 300_000,
  keepAliveTimeout: 65_000,
  maxRequestsPerSocket: 0,
  maxBodySize: 1024 * 1024,
  maxConnections: 0,
  maxPipelined: 64,
  sendTimeout: 30_000,
  writeHighWater: 256 * 1024,
  timeoutGracefulShutdown: 30_000,
} as const;
