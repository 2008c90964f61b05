// Contender: the realistic app written for plain node:http, the way one writes it without a
// framework: routing by hand, the client from X-Forwarded-For walked from the right past
// trusted proxies (loopback, 10.0.0.0/8), the scheme from X-Forwarded-Proto when the peer is
// trusted, the Host checked, x-request-id set.
import http from 'node:http';

const ALLOWED_HOST = 'app.example.com';
let requests = 0;

function trusted(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1' || ip.startsWith('10.');
}

/** The first untrusted address from the right of X-Forwarded-For (or the peer, untrusted). */
function clientOf(req: http.IncomingMessage): string | null {
  const peer = req.socket.remoteAddress ?? null;
  const xff = req.headers['x-forwarded-for'];
  if (peer === null || !trusted(peer) || typeof xff !== 'string') return peer; // repeats come joined with ', '
  const hops = xff.split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    client = hops[i]!.trim();
    if (!trusted(client)) break;
  }
  return client;
}

function schemeOf(req: http.IncomingMessage): string {
  const proto = req.headers['x-forwarded-proto'];
  if (typeof proto !== 'string' || !trusted(req.socket.remoteAddress ?? '')) return 'http';
  const last = proto.slice(proto.lastIndexOf(',') + 1).trim();
  return last === 'https' ? 'https' : 'http';
}

const server = http.createServer((req, res) => {
  res.setHeader('x-request-id', String(++requests));
  if (req.headers.host !== ALLOWED_HOST) {
    res.statusCode = 400;
    res.setHeader('content-type', 'text/plain');
    res.end('Invalid host header');
    return;
  }
  const url = req.url ?? '/';
  if (req.method === 'GET' && url.startsWith('/users/') && url.indexOf('/', 7) === -1 && url.indexOf('?') === -1 && url.length > 7) {
    const id = decodeURIComponent(url.slice(7));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id, name: `user ${id}`, client: clientOf(req), scheme: schemeOf(req) }));
    return;
  }
  res.statusCode = 404;
  res.setHeader('content-type', 'application/json');
  res.end('{"detail":"Not Found"}');
});

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
