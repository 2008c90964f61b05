// Contender: fasterapi's app layer (trust stage + router + 2 middlewares) on the same transport.
// The app layer is still being written: it is imported through a variable so that this file never
// breaks `npm run build` (and with it `npm test`) before src/index.ts exports it. Once it does, this
// can become `import { BaseHTTPMiddleware, Faster, TrustedHostMiddleware } from '../../../src/index.js'`.

interface Middleware {
  dispatch(request: unknown, callNext: (request: unknown) => Promise<unknown>): Promise<unknown>;
}
interface AppLayer {
  Faster: new () => {
    get(path: string, handler: () => unknown): unknown;
    addMiddleware(middleware: unknown, options?: object): unknown;
    listen(options: { port: number; host: string }): Promise<unknown>;
  };
  // A mixin constructor type (TypeScript requires `any[]` here) so that a class can extend it.
  BaseHTTPMiddleware: abstract new (...args: any[]) => Middleware;
  TrustedHostMiddleware: unknown;
}

const specifier = '../../../src/index.js';
const mod = (await import(specifier)) as Partial<AppLayer>;
const { Faster, BaseHTTPMiddleware, TrustedHostMiddleware } = mod;
if (Faster === undefined || BaseHTTPMiddleware === undefined || TrustedHostMiddleware === undefined) {
  const missing = Object.entries({ Faster, BaseHTTPMiddleware, TrustedHostMiddleware }).filter(([, v]) => v === undefined).map(([k]) => k);
  throw new Error(`src/index.ts does not export ${missing.join(', ')} yet`);
}

class PassThrough extends BaseHTTPMiddleware {
  override dispatch(request: unknown, callNext: (request: unknown) => Promise<unknown>): Promise<unknown> {
    return callNext(request);
  }
}

const app = new Faster();
app.addMiddleware(TrustedHostMiddleware, { allowedHosts: ['127.0.0.1', 'localhost', 'example.com'] });
app.addMiddleware(PassThrough);
app.get('/', () => 'Hello, World!');
app.get('/json', () => ({ message: 'Hello, World!' }));

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
