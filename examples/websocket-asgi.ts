// A WebSocket echo in ASGI's websocket messages on the bare transport (README "WebSockets").
//   node dist/examples/websocket-asgi.js
import { pathToFileURL } from 'node:url';
import { createServer } from '../src/index.js';
import type { App, WebSocketReceive } from '../src/types.js';

export const app: App = async (scope, r, send) => {
  if (scope.type !== 'websocket') {
    await send({ type: 'http.response.start', status: 404, headers: [['content-type', 'text/plain']] });
    return send({ type: 'http.response.body', body: 'websocket only\n' });
  }
  const receive = r as unknown as WebSocketReceive;
  await receive(); // { type: 'websocket.connect' }
  await send({ type: 'websocket.accept' });
  for (;;) {
    const m = await receive();
    if (m.type === 'websocket.disconnect') return; // { code, reason }
    if (m.type === 'websocket.receive') await send({ type: 'websocket.send', text: m.text ?? null, bytes: m.bytes ?? null });
  }
};

export default app;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await createServer(app).listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1');
  console.log(`ws://127.0.0.1:${server.address().port}/`);
}
