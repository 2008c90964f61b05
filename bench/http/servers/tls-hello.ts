// Server for bench/http/tls.ts: GET / 'Hello, World!' from node:http(s) or fasterapi,
// over TLS when TLS_KEY and TLS_CERT name PEM files. KIND=node|fasterapi, PORT.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createServer, encodeHeaders } from '../../../src/index.js';
import { respond } from '../../../src/server/respond.js';

const HELLO = 'Hello, World!';
const tls = process.env.TLS_KEY ? { key: readFileSync(process.env.TLS_KEY), cert: readFileSync(process.env.TLS_CERT!) } : null;
const port = Number(process.env.PORT);

if (process.env.KIND === 'node') {
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.setHeader('content-type', 'text/plain');
    res.end(HELLO);
  };
  const server = tls !== null ? https.createServer(tls, handler) : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1');
} else {
  const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
  const server = createServer((_scope, _receive, send) => respond(send, 200, TEXT, HELLO), { tls });
  await server.listen(port, '127.0.0.1');
}
