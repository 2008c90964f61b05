// The apps the fasterapi/node contenders serve, each run on node:http and on fasterapi/node:
// Express, Koa, and the plain node:http listener (GET / text, GET /json, GET /ip).
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import Koa from 'koa';

const HELLO = 'Hello, World!';

/** The plain listener: the node-http contender, and the same listener on fasterapi/node (the layer's own cost). */
export function plainListener(req: IncomingMessage, res: ServerResponse): void {
  switch (req.url) {
    case '/':
      res.setHeader('content-type', 'text/plain');
      res.end(HELLO);
      return;
    case '/json':
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message: HELLO }));
      return;
    case '/ip': {
      const raw = req.headers['x-forwarded-for'];
      const xff = Array.isArray(raw) ? raw[0] : raw;
      const comma = xff === undefined ? -1 : xff.indexOf(',');
      const ip = xff === undefined ? (req.socket.remoteAddress ?? null) : (comma === -1 ? xff : xff.slice(0, comma)).trim();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ip }));
      return;
    }
    default:
      res.statusCode = 404;
      res.end('Not Found');
  }
}

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
