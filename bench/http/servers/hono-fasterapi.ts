// Contender: the same Hono app served by fasterapi's fetch adapter.
import { serve } from '../../../src/fetch/index.js';
import { createHonoApp } from './hono-app.js';

const app = createHonoApp();
// overrideGlobalObjects: @hono/node-server replaces the global Response by default, so
// the like-for-like comparison replaces it here too (ours only does so when asked).
await serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1', overrideGlobalObjects: true });
