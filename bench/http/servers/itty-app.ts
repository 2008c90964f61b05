// The itty-router app of the "itty-router on @whatwg-node/server" and "on fasterapi" contenders.
import { AutoRouter, text } from 'itty-router';

const HELLO = 'Hello, World!';

export function createIttyApp() {
  const router = AutoRouter();
  router
    .get('/', () => text(HELLO))
    .get('/json', () => ({ message: HELLO }))
    .get('/users/:id', ({ params }) => ({ id: params.id }));
  return router;
}

export default createIttyApp();
