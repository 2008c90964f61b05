// Seed snippet "Root path", passed to the server:
//
//   fasterapi examples/root-path-flag.js --root-path /api/v1
//
// (uvicorn main:app --root-path /api/v1 on the seed page.) The app routes on the path
// without the mount point; request.url and scope.rootPath carry it, so generated URLs
// (docs, redirects) point at /api/v1/... . A request that still carries the prefix
// (/api/v1/info) is routed the same as /info.
import { Faster, routePath, type Request } from '../src/index.js';

const app = new Faster();

app.get('/info', (request: Request) => ({
  rootPath: request.scope.rootPath,
  path: routePath(request.scope), // the path routed on: scope.path without the root path
  url: request.url.href,
}));

export default app;
