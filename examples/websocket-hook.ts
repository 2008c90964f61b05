// The `ws` library (or socket.io's engine, @fastify/websocket) on the onUpgrade hook: the
// app accepts, the hook gets the socket as node:http's 'upgrade' event gives it (README "WebSockets").
//   node dist/examples/websocket-hook.js
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { createServer } from '../src/index.js';
import type { App, UpgradeHook } from '../src/types.js';

const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));

export const onUpgrade: UpgradeHook = (scope, socket, head) => {
  const req = { method: scope.method, url: scope.rawPath, headers: Object.fromEntries(scope.headers) };
  wss.handleUpgrade(req as never, socket, head, (ws) => wss.emit('connection', ws, req));
};

// The app (and its middlewares) decide first: accept, or refuse with an HTTP response.
export const app: App = (scope, _receive, send) =>
  scope.type === 'websocket' ? send({ type: 'websocket.accept' }) : send({ type: 'http.response.start', status: 404 }).then(() => send({ type: 'http.response.body' }));

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await createServer(app, { onUpgrade }).listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1');
  console.log(`ws://127.0.0.1:${server.address().port}/`);
}
