// Contender: h3 on srvx (what h3's own serve() runs on Node).
import { serve } from 'srvx';
import { createH3App } from './h3-app.js';

serve({ fetch: createH3App().fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1', silent: true });
