// Contender: the same Hono app through the fasterapi CLI (default options: the light
// Response installed, as @hono/node-server does by default).
import { serveWithCli } from './cli-serve.js';

serveWithCli(new URL('./hono-app.js', import.meta.url));
