// Contender: plain node:http. GET / text, GET /json, GET /ip (first X-Forwarded-For entry, parsed by hand).
import http from 'node:http';

const HELLO = 'Hello, World!';

const server = http.createServer((req, res) => {
  switch (req.url) {
    case '/':
      res.setHeader('content-type', 'text/plain');
      res.end(HELLO);
      return;
    case '/json':
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message: HELLO }));
      return;
    case '/ip': {
      const raw = req.headers['x-forwarded-for'];
      const xff = Array.isArray(raw) ? raw[0] : raw;
      const comma = xff === undefined ? -1 : xff.indexOf(',');
      const ip = xff === undefined ? (req.socket.remoteAddress ?? null) : (comma === -1 ? xff : xff.slice(0, comma)).trim();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ip }));
      return;
    }
    default:
      res.statusCode = 404;
      res.end('Not Found');
  }
});

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
