// Seed snippet "HTTPS redirect": plain HTTP gets a 307 to the https:// URL. Behind a
// TLS-terminating proxy that is trusted (--forwarded-allow-ips) and sends
// X-Forwarded-Proto: https, the request counts as https and is served.
//
//   fasterapi examples/https-redirect.js
import { Faster, HTTPSRedirectMiddleware, type Request } from '../src/index.js';

const app = new Faster();

app.get('/', (request: Request) => ({ scheme: request.url.scheme }));

app.addMiddleware(HTTPSRedirectMiddleware);

export default app;
