// The hello route on fasterapi's app layer, bare or behind TrustedHostMiddleware and one
// async pass-through middleware: the pair issue 13's "≥ 0.90× the bare route" compares.
import { BaseHTTPMiddleware, Faster, TrustedHostMiddleware } from '../../../src/index.js';
import type { Receive, Scope, Send } from '../../../src/index.js';

/** Passes the request on, written the way users write middleware: async, awaiting the app. */
class AsyncPassThrough extends BaseHTTPMiddleware {
  override async dispatch(scope: Scope, receive: Receive, send: Send): Promise<void> {
    await this.app(scope, receive, send);
  }
}

/** Hosts the hello scenarios address (the load generator sends Host: 127.0.0.1:port). */
const ALLOWED_HOSTS = ['127.0.0.1', 'localhost'];

export function createHelloApp(middlewares: boolean): Faster {
  const app = new Faster();
  if (middlewares) {
    app.addMiddleware(AsyncPassThrough);
    app.addMiddleware(TrustedHostMiddleware, { allowedHosts: ALLOWED_HOSTS });
  }
  app.get('/', () => 'Hello, World!');
  return app;
}
