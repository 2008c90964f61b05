// Contender: the realistic app in fastify 5, idiomatically: trustProxy with the proxies'
// addresses (request.ip, request.protocol), the host check and a pass-through as async
// onRequest hooks, x-request-id from an async onSend hook, a route with a parameter.
import Fastify from 'fastify';

const ALLOWED_HOST = 'app.example.com';
let requests = 0;

const app = Fastify({ logger: false, trustProxy: ['127.0.0.1', '::1', '10.0.0.0/8'] });

app.addHook('onRequest', async (request, reply) => {
  if (request.hostname !== ALLOWED_HOST) return reply.code(400).type('text/plain').send('Invalid host header');
});
app.addHook('onRequest', async () => {});
app.addHook('onSend', async (_request, reply, payload) => {
  reply.header('x-request-id', String(++requests));
  return payload;
});

app.get<{ Params: { id: string } }>('/users/:id', async (request) => {
  const id = request.params.id;
  return { id, name: `user ${id}`, client: request.ip, scheme: request.protocol };
});

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
