// Contender: fasterapi's app layer (trust stage + 2 middlewares + router) on the same transport.
import { BaseHTTPMiddleware, Faster, TrustedHostMiddleware } from '../../../src/index.js';
import type { Receive, Scope, Send } from '../../../src/index.js';

/** A middleware that does nothing but pass the request on (the cost of one more layer). */
class PassThrough extends BaseHTTPMiddleware {
  override dispatch(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    return this.app(scope, receive, send);
  }
}

const app = new Faster();
app.addMiddleware(TrustedHostMiddleware, { allowedHosts: ['127.0.0.1', 'localhost', 'example.com'] });
app.addMiddleware(PassThrough);
app.get('/', () => 'Hello, World!');
app.get('/json', () => ({ message: 'Hello, World!' }));

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
