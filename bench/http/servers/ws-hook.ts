// Contender (WebSocket echo): the `ws` library on fasterapi's onUpgrade hook.
import { WebSocketServer } from 'ws';
import { createServer } from '../../../src/index.js';
import type { UpgradeHook } from '../../../src/types.js';

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
const onUpgrade: UpgradeHook = (scope, socket, head) => {
  const req = { method: scope.method, url: scope.rawPath, headers: Object.fromEntries(scope.headers) };
  wss.handleUpgrade(req as never, socket, head, (ws) => wss.emit('connection', ws, req));
};

await createServer((_scope, _receive, send) => send({ type: 'websocket.accept' }), { onUpgrade }).listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
