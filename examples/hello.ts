// The quick start: `npm start` serves this file on http://127.0.0.1:8000.
//   fasterapi examples/hello.js            (the CLI loads dist/examples/hello.js)
//   node dist/examples/hello.js            (plain node: the file starts its own server)
import { pathToFileURL } from 'node:url';
import { Faster, HTTPException, type Request } from '../src/index.js';

const app = new Faster();

app.get('/', () => ({ message: 'Hello, World!' }));

app.get('/hello/:name', (request: Request) => `Hello, ${request.pathParams.name}!`);

app.get('/items/:id', (request: Request) => {
  const id = Number(request.pathParams.id);
  if (!Number.isInteger(id)) throw new HTTPException(422, 'id must be an integer');
  return { id, q: request.query.get('q') };
});

app.post('/echo', async (request: Request) => ({ received: await request.json() }));

export default app;

// Run directly with node: listen here (the CLI imports the module and serves the export instead).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' });
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
}
