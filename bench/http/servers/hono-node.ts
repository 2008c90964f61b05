// Contender: Hono on @hono/node-server.
import { serve } from '@hono/node-server';
import { createHonoApp } from './hono-app.js';

const app = createHonoApp();
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
