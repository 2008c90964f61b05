// Contender: the same Hono app served by fasterapi's fetch adapter.
import { serve } from '../../../src/fetch/index.js';
import { createHonoApp } from './hono-app.js';

const app = createHonoApp();
await serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
