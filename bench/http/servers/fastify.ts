// Contender: fastify 5 with trustProxy (request.ip is the client address from X-Forwarded-For).
import Fastify from 'fastify';

const HELLO = 'Hello, World!';
const app = Fastify({ logger: false, trustProxy: true });

app.get('/', (_request, reply) => {
  reply.type('text/plain').send(HELLO);
});
app.get('/json', () => ({ message: HELLO }));
app.get('/ip', (request) => ({ ip: request.ip }));

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
