// Ceiling row for the realistic scenario: fasterapi's bare transport, no app layer. The trust
// stage resolves the same two proxies and the answer is built from the scope (path segment,
// client, scheme) through respond(), with x-request-id in the encoded head. No host check, no
// middleware, no router: what any app on fasterapi pays at least for this request.
import { createServer, encodeHeaders, respond } from '../../../src/index.js';
import { REALISTIC_TRUSTED } from './realistic-app.js';

const HEAD = encodeHeaders({ 'content-type': 'application/json', 'x-request-id': '1' });
const PREFIX = '/users/';

const server = createServer(
  (scope, _receive, send) => {
    const path = scope.path;
    if (!path.startsWith(PREFIX)) return respond(send, 404, null, 'Not Found');
    const id = path.slice(PREFIX.length);
    const client = scope.client === null ? null : scope.client[0];
    respond(send, 200, HEAD, JSON.stringify({ id, name: `user ${id}`, client, scheme: scope.scheme }));
  },
  { trustedProxies: REALISTIC_TRUSTED },
);

await server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
