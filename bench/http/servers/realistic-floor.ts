// Floor row for the realistic scenario: the ceiling server (realistic-transport.ts) plus the
// realistic app's own JavaScript with nothing of fasterapi's app layer (bench/micro/floor.ts
// realisticFloorApp: host compare, two async middlewares, one wrapping send, ASGI's two
// messages). The body message answers through respond() with a head encoded once. Any app
// layer that keeps ASGI's meaning of send costs at least this on this request, so the
// realistic app can do no better than this row (docs/design.md, "The floor under the
// app").
import { createServer, encodeHeaders, respond } from '../../../src/index.js';
import type { Send } from '../../../src/index.js';
import { type FloorSend, realisticFloorApp } from '../../micro/floor.js';
import { REALISTIC } from '../../micro/shapes.js';
import { REALISTIC_TRUSTED } from './realistic-app.js';

const HEAD = encodeHeaders({ 'content-type': 'application/json', 'x-request-id': '1' });
const PREFIX = '/users/';
const SENT: Promise<void> = Promise.resolve();
const app = realisticFloorApp(REALISTIC.host);

const server = createServer(
  (scope, _receive, send) => {
    const path = scope.path;
    if (!path.startsWith(PREFIX)) return respond(send, 404, null, 'Not Found');
    const id = path.slice(PREFIX.length);
    const client = scope.client === null ? null : scope.client[0];
    const json = JSON.stringify({ id, name: `user ${id}`, client, scheme: scope.scheme });
    try {
      return app(scope.headers.get('host') ?? '', json, answer(send));
    } catch {
      // the app's host compare refused it (synchronously, as TrustedHost answers)
      return respond(send, 400, null, 'Invalid host header');
    }
  },
  { trustedProxies: REALISTIC_TRUSTED },
);

/** The innermost send: the body message answers the request. */
function answer(send: Send): FloorSend {
  return (message) => {
    if (message.type === 'http.response.body') respond(send, 200, HEAD, message.body ?? '');
    return SENT;
  };
}

await server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
