// Contender (WebSocket echo): fasterapi's own WebSocket protocol, the app in ASGI websocket messages.
import { createServer } from '../../../src/index.js';
import type { App, WebSocketReceive } from '../../../src/types.js';

const app: App = async (_scope, r, send) => {
  const receive = r as unknown as WebSocketReceive;
  await receive();
  await send({ type: 'websocket.accept' });
  for (;;) {
    const m = await receive();
    if (m.type === 'websocket.disconnect') return;
    if (m.type === 'websocket.receive') await send(m.text !== undefined ? { type: 'websocket.send', text: m.text } : { type: 'websocket.send', bytes: m.bytes });
  }
};

await createServer(app, { wsPerMessageDeflate: false, wsPingInterval: 0 }).listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
