// The Express, Koa and Fastify apps the fasterapi/node contenders serve, each run on node:http
// and on fasterapi/node (GET / text, GET /json).
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import Koa from 'koa';

const HELLO = 'Hello, World!';

export function expressApp(): (req: IncomingMessage, res: ServerResponse) => void {
  const app = express();
  app.get('/', (_req, res) => {
    res.type('text/plain').send(HELLO);
  });
  app.get('/json', (_req, res) => {
    res.json({ message: HELLO });
  });
  return app as unknown as (req: IncomingMessage, res: ServerResponse) => void;
}

export function koaApp(): (req: IncomingMessage, res: ServerResponse) => void {
  const app = new Koa();
  app.use((ctx) => {
    if (ctx.path === '/') {
      ctx.type = 'text/plain';
      ctx.body = HELLO;
    } else if (ctx.path === '/json') ctx.body = { message: HELLO };
  });
  return app.callback();
}

export const PORT = Number(process.env.PORT);
export const HOST = process.env.HOST ?? '127.0.0.1';
