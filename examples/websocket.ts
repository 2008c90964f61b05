// WebSockets with Faster routes (README "WebSockets"; the ASGI messages are in
// websocket-asgi.ts, the `ws` library on the onUpgrade hook in websocket-hook.ts).
//   node dist/examples/websocket.js   then open http://127.0.0.1:8000/ in a browser
import { pathToFileURL } from 'node:url';
import { Faster, Response, WebSocketDisconnect } from '../src/index.js';

const PAGE = `<!doctype html><meta charset="utf-8"><title>chat</title>
<input id="m" autofocus><pre id="log"></pre><script>
const ws = new WebSocket('ws://' + location.host + '/chat/guest');
ws.onmessage = (e) => { log.textContent += e.data + '\\n'; };
m.onkeydown = (e) => { if (e.key === 'Enter') { ws.send(m.value); m.value = ''; } };
</script>`;

const app = new Faster();
app.get('/', () => new Response(PAGE, { contentType: 'text/html; charset=utf-8' }));

app.websocket('/chat/:name', async (ws) => {
  await ws.accept();
  await ws.sendText(`hello ${ws.pathParams.name}`);
  try {
    for (;;) await ws.sendJson({ from: ws.pathParams.name, said: await ws.receiveText() });
  } catch (err) {
    if (!(err instanceof WebSocketDisconnect)) throw err; // the client left: a normal end
  }
});

export default app;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' });
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
}
