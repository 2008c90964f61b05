// The hello route on fasterapi's app layer, bare or behind middlewares: the HTTP pair issue 13's
// "≥ 0.90× the bare route" compares (bare, and TrustedHost + one async pass-through), and the
// micro-benchmarks' mw: rows (each middleware alone).
import { BaseHTTPMiddleware, Faster, TrustedHostMiddleware } from '../../../src/index.js';
import type { Receive, Scope, Send } from '../../../src/index.js';

/** Passes the request on, written the way users write middleware: async, awaiting the app. */
export class AsyncPassThrough extends BaseHTTPMiddleware {
  override async dispatch(scope: Scope, receive: Receive, send: Send): Promise<void> {
    await this.app(scope, receive, send);
  }
}

/** The same without async: returns the app's result. */
export class SyncPassThrough extends BaseHTTPMiddleware {
  override dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    return this.app(scope, receive, send);
  }
}

const SETTLED = Promise.resolve();

/** The transport's pending-app path alone: answers synchronously, returns an already-settled promise (no async function). */
export class SettledPassThrough extends BaseHTTPMiddleware {
  override dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    this.app(scope, receive, send);
    return SETTLED;
  }
}

async function idle(): Promise<void> {
  await undefined;
}

/** V8's async function alone: calls an async no-op and drops its promise; the transport sees a synchronous app. */
export class DetachedAsync extends BaseHTTPMiddleware {
  override dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    void idle();
    return this.app(scope, receive, send);
  }
}

/** Hosts the hello requests address (the load generator sends Host: 127.0.0.1:port, the micro shapes localhost). */
const ALLOWED_HOSTS = ['127.0.0.1', 'localhost'];

/**
 * Middlewares around the hello route: none, one of each alone, two async pass-throughs, or
 * TrustedHost outside one async pass-through; 'settled' and 'detached' split one async
 * pass-through's cost into the transport's part and V8's (docs/design.md, "The hello pair
 * over HTTP, taken apart").
 */
export const HELLO_VARIANTS = ['bare', 'async', 'async2', 'sync', 'host', 'host+async', 'settled', 'detached'] as const;
export type HelloVariant = (typeof HELLO_VARIANTS)[number];

export function createHelloApp(variant: HelloVariant): Faster {
  const app = new Faster();
  if (variant === 'async' || variant === 'async2' || variant === 'host+async') app.addMiddleware(AsyncPassThrough);
  if (variant === 'async2') app.addMiddleware(AsyncPassThrough);
  if (variant === 'sync') app.addMiddleware(SyncPassThrough);
  if (variant === 'settled') app.addMiddleware(SettledPassThrough);
  if (variant === 'detached') app.addMiddleware(DetachedAsync);
  if (variant === 'host' || variant === 'host+async') app.addMiddleware(TrustedHostMiddleware, { allowedHosts: ALLOWED_HOSTS });
  app.get('/', () => 'Hello, World!');
  return app;
}
