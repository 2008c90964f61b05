// Middleware classes and the chain, folded once at start-up.
//
// app.addMiddleware(Class, options) records the class; when the app starts, each is
// constructed exactly once as `new Class(next, options)`, where `next` is the inner
// ASGI app, and the framework then calls `instance.dispatch(scope, receive, send)`
// for every request. The chain is a row of bound dispatch functions made at start-up:
// running it creates no closures. The last middleware added is the outermost (it
// sees the request first), as in Starlette.
import type { App, Receive, Scope, Send } from '../types.js';

/** What the framework calls per request. */
export interface Middleware {
  dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void>;
}

/** A middleware class: constructed once with the next app and its options. */
// The bare `MiddlewareClass` (the stored list, users' own types) must accept a class whatever its options type:
// constructor parameters are contravariant, so `unknown` would refuse a class taking `{ x: string }`.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type MiddlewareClass<O = any> = new (app: App, options: O) => Middleware;

/**
 * Base for middlewares: stores the next app as `this.app`. Override dispatch();
 * the default passes the request on unchanged. A dispatch may call
 * `this.app(scope, receive, send)` with a different scope object (for instance
 * `{ ...scope, rootPath: '/api/v1' }`): the inner app sees the new one.
 */
export class BaseHTTPMiddleware implements Middleware {
  /** The next app in the chain (the inner middleware or the router). */
  readonly app: App;

  constructor(app: App, _options?: unknown) {
    this.app = app;
  }

  dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    return this.app(scope, receive, send);
  }
}

/** One recorded addMiddleware() call. */
export interface MiddlewareEntry {
  readonly cls: MiddlewareClass;
  readonly options: unknown;
}

/**
 * Builds the chain around `inner`: entries in the order they were added, the first
 * innermost. Throws (start-up error) when a class does not produce a dispatch().
 */
export function composeMiddleware(inner: App, entries: readonly MiddlewareEntry[]): App {
  let app = inner;
  for (const { cls, options } of entries) {
    if (typeof cls !== 'function') throw new TypeError(`addMiddleware() needs a class, got ${typeof cls}`);
    const instance = new cls(app, options);
    if (instance === null || typeof instance.dispatch !== 'function') {
      throw new TypeError(`Middleware ${cls.name || '(anonymous)'} has no dispatch(scope, receive, send) method`);
    }
    app = instance.dispatch.bind(instance) as App;
  }
  return app;
}
