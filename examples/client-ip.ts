// Seed snippet "Trusting X-Forwarded-For": the client IP behind a proxy.
//
//   fasterapi examples/client-ip.js --forwarded-allow-ips 127.0.0.1
//
// The handler below is the seed page's, translated. It reads X-Forwarded-For itself,
// which any client can spoof unless the app is reachable only through a proxy that
// overwrites the header. request.client is the safer source: the trust stage fills it
// from the forwarding headers your proxy overwrites (X-Forwarded-For by default), only when the peer is a trusted proxy
// (--forwarded-allow-ips), and from the socket otherwise. /client shows that.
import { Faster, type Request } from '../src/index.js';

const app = new Faster();

app.get('/ip', async (request: Request) => {
  const forwardedFor = request.headers.get('x-forwarded-for');
  let realIp: string | null;
  if (forwardedFor) {
    // X-Forwarded-For can be a comma-separated list: client, proxy1, proxy2
    realIp = forwardedFor.split(',')[0].trim();
  } else {
    realIp = request.client ? request.client[0] : null;
  }
  return { ip: realIp };
});

// The recommended form: resolved by the trust stage, never spoofable by an untrusted peer.
app.get('/client', (request: Request) => ({ ip: request.client?.[0] ?? null, scheme: request.url.scheme }));

export default app;
