// The Hono app shared by the "hono on @hono/node-server" and "hono on fasterapi" contenders.
import { Hono } from 'hono';

const HELLO = 'Hello, World!';

export function createHonoApp(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.text(HELLO));
  app.get('/json', (c) => c.json({ message: HELLO }));
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
  app.get('/ip', (c) => {
    // Hono has no trust stage of its own: read the header.
    const xff = c.req.header('x-forwarded-for');
    return c.json({ ip: xff === undefined ? null : xff.split(',')[0]!.trim() });
  });
  return app;
}

export default createHonoApp();
