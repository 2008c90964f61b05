// Seed snippet "Trusted host validation": only requests for these hosts are served;
// any other Host (or X-Forwarded-Host from a trusted proxy) gets 400 "Invalid host header".
// Note that '*.example.com' covers a.example.com and a.b.example.com but not the apex
// example.com itself.
//
//   fasterapi examples/trusted-hosts.js
import { Faster, TrustedHostMiddleware } from '../src/index.js';

const app = new Faster();

app.get('/', () => ({ ok: true }));

app.addMiddleware(TrustedHostMiddleware, {
  allowedHosts: ['api.example.com', '*.example.com'],
});

export default app;
