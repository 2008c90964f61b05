// The apps the differential suite runs on both servers: the same code, a fresh instance each.
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express from 'express';
import Koa from 'koa';
import multer from 'multer';

/** A static folder with fixed mtimes, so Last-Modified and ETag agree between the two servers. */
export const STATIC_DIR = mkdtempSync(join(tmpdir(), 'fasterapi-node-static-'));
writeFileSync(join(STATIC_DIR, 'hello.txt'), 'Hello, static world!\n'.repeat(20));
writeFileSync(join(STATIC_DIR, 'big.txt'), 'x'.repeat(200_000));
for (const f of ['hello.txt', 'big.txt']) utimesSync(join(STATIC_DIR, f), 1_700_000_000, 1_700_000_000);

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export function expressApp(): Listener {
  const app = express();
  const upload = multer({ storage: multer.memoryStorage() });
  app.use(cookieParser());
  app.get('/', (_req, res) => {
    res.send('Hello, World!');
  });
  app.get('/json', (_req, res) => {
    res.json({ message: 'Hello, World!' });
  });
  app.get('/users/:id/books/:book', (req, res) => {
    res.json({ params: req.params, query: req.query });
  });
  app.post('/json', express.json(), (req, res) => {
    res.json({ got: req.body });
  });
  app.post('/form', express.urlencoded({ extended: false }), (req, res) => {
    res.json({ got: req.body });
  });
  app.post('/upload', upload.single('file'), (req, res) => {
    res.json({ fields: req.body, name: req.file?.originalname, size: req.file?.size, text: req.file?.buffer.toString().slice(0, 20) });
  });
  app.post('/count', (req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
    });
    req.on('end', () => {
      res.json({ bytes: n, complete: req.complete });
    });
  });
  app.get('/cookies', (req, res) => {
    res.cookie('a', '1', { httpOnly: true, path: '/' });
    res.cookie('b', 'two words');
    res.json({ cookies: req.cookies });
  });
  app.get('/headers', (req, res) => {
    res.json({ headers: req.headers, distinct: req.headersDistinct, ip: req.ip, secure: req.secure, protocol: req.protocol, hostname: req.hostname });
  });
  app.get('/redirect', (_req, res) => {
    res.redirect('/json');
  });
  app.get('/redirect301', (_req, res) => {
    res.redirect(301, 'https://example.com/x');
  });
  app.get('/stream', (_req, res) => {
    res.type('text/plain');
    res.write('one ');
    setTimeout(() => {
      res.write('two ');
      res.end('three');
    }, 5);
  });
  app.get('/pipe', (_req, res) => {
    res.type('text/plain');
    Readable.from(['a', 'b', 'c'].map((s) => s.repeat(1000))).pipe(res);
  });
  app.get('/status', (_req, res) => {
    res.status(418).set('x-one', 'uno').append('x-many', ['1', '2']).send('teapot');
  });
  app.get('/nocontent', (_req, res) => {
    res.sendStatus(204);
  });
  app.get('/writehead', (_req, res) => {
    res.writeHead(201, { 'x-a': 'a', 'content-type': 'text/plain' });
    res.end('made');
  });
  app.get('/writehead-array', (_req, res) => {
    res.setHeader('x-before', 'b');
    res.writeHead(202, ['x-flat', 'f', 'content-type', 'text/plain']);
    res.end('flat');
  });
  app.get('/headers-sent', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let code = 'none';
    try {
      res.setHeader('x-late', '1');
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code ?? 'no code';
    }
    res.end(code);
  });
  app.get('/bad-header', (_req, res) => {
    let code = 'none';
    try {
      res.setHeader('x-bad', 'a\nb');
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code ?? 'no code';
    }
    res.end(code);
  });
  app.get('/te-chunked', (_req, res) => {
    res.set('Transfer-Encoding', 'chunked').send('framed by the app');
  });
  app.get('/throw', () => {
    throw new Error('boom');
  });
  app.get('/async-throw', async () => {
    await new Promise((r) => setTimeout(r, 1));
    throw Object.assign(new Error('teapot'), { status: 418, expose: true });
  });
  app.use('/static', express.static(STATIC_DIR));
  app.use('/gz', compression({ threshold: 0 }), (_req, res) => {
    res.type('text/plain').send('compress me '.repeat(200));
  });
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: err.message });
  });
  return app as unknown as Listener;
}

export function koaApp(): Listener {
  const app = new Koa();
  app.use(async (ctx, next) => {
    ctx.set('x-koa', '1');
    await next();
  });
  app.use(async (ctx) => {
    if (ctx.path === '/') ctx.body = 'Hello, World!';
    else if (ctx.path === '/json') ctx.body = { message: 'Hello, World!', query: ctx.query };
    else if (ctx.path === '/echo') {
      const parts: Buffer[] = [];
      for await (const c of ctx.req) parts.push(c as Buffer);
      ctx.body = { bytes: Buffer.concat(parts).length, type: ctx.get('content-type') };
    } else if (ctx.path === '/stream') {
      ctx.type = 'text/plain';
      ctx.body = Readable.from(['x'.repeat(5000), 'y'.repeat(5000)]);
    } else if (ctx.path === '/redirect') ctx.redirect('/json');
    else if (ctx.path === '/throw') ctx.throw(422, 'bad input');
    else if (ctx.path === '/cookies') {
      ctx.cookies.set('k', 'v', { httpOnly: true });
      ctx.body = { k: ctx.cookies.get('k') ?? null, ip: ctx.ip };
    }
  });
  app.silent = true;
  return app.callback();
}

type Handler = (req: IncomingMessage & { params: Record<string, string>; query: unknown }, res: ServerResponse) => void;
/** polka ships no types. */
const polka = createRequire(import.meta.url)('polka') as () => { get(path: string, h: Handler): void; handler: Listener };

export function polkaApp(): Listener {
  const app = polka();
  app.get('/', (_req, res) => {
    res.end('Hello, World!');
  });
  app.get('/users/:id', (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: req.params.id, query: req.query }));
  });
  return app.handler;
}
