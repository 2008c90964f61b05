// Contender (WebSocket echo): the `ws` library on node:http's 'upgrade' event (its usual setup).
import http from 'node:http';
import { WebSocketServer } from 'ws';

const server = http.createServer((_req, res) => res.end());
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
