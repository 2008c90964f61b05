// Contender: fasterapi's bare transport, whole responses through respond(send, status, head, body).
import { createServer, encodeHeaders, respond } from '../../../src/index.js';

const HELLO = 'Hello, World!';
const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const JSON_HEAD = encodeHeaders({ 'content-type': 'application/json' });

// The /ip request comes through two proxies, 127.0.0.1 (trusted by default) and 10.0.0.2: trust both
// hops, so that scope.client is the address the other servers report (203.0.113.7).
const TRUSTED_PROXIES = ['loopback', '10.0.0.0/8'];

const server = createServer(
  (scope, _receive, send) => {
    switch (scope.path) {
      case '/':
        respond(send, 200, TEXT, HELLO);
        return;
      case '/json':
        respond(send, 200, JSON_HEAD, JSON.stringify({ message: HELLO }));
        return;
      case '/ip': // scope.client comes from the trust stage
        respond(send, 200, JSON_HEAD, JSON.stringify({ ip: scope.client === null ? null : scope.client[0] }));
        return;
      default:
        respond(send, 404, TEXT, 'Not Found');
    }
  },
  { trustedProxies: TRUSTED_PROXIES },
);

await server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
