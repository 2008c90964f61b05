// Contender: the fastify contender's app (fastify.ts) on fasterapi/node, through Fastify's serverFactory.
import Fastify from 'fastify';
import { createServer } from '../../../src/node/index.js';

const HELLO = 'Hello, World!';
const app = Fastify({ logger: false, trustProxy: true, serverFactory: (handler) => createServer(handler) as never });

app.get('/', (_request, reply) => {
  reply.type('text/plain').send(HELLO);
});
app.get('/json', () => ({ message: HELLO }));
app.get('/ip', (request) => ({ ip: request.ip }));

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
