// Seed snippet "Root path ... Or set in a middleware": RootPathMiddleware replaces the
// scope with a copy carrying the root path and passes it on.
//
//   fasterapi examples/root-path-middleware.js
import { BaseHTTPMiddleware, Faster, routePath, type App, type Receive, type Request, type Scope, type Send } from '../src/index.js';

export class RootPathMiddleware extends BaseHTTPMiddleware {
  readonly rootPath: string;

  constructor(app: App, { rootPath = '' }: { rootPath?: string } = {}) {
    super(app);
    this.rootPath = rootPath;
  }

  override async dispatch(scope: Scope, receive: Receive, send: Send): Promise<void> {
    if (scope.type === 'http' || scope.type === 'websocket') {
      scope = { ...scope, rootPath: this.rootPath };
    }
    await this.app(scope, receive, send);
  }
}

const app = new Faster();

app.get('/info', (request: Request) => ({
  rootPath: request.scope.rootPath,
  path: routePath(request.scope), // the path routed on: scope.path without the root path
  url: request.url.href,
}));

app.addMiddleware(RootPathMiddleware, { rootPath: '/api/v1' });

export default app;
