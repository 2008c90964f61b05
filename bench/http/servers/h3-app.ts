// The h3 app of the "h3 on srvx" and "h3 on fasterapi" contenders.
import { H3, getRouterParam } from 'h3';

const HELLO = 'Hello, World!';

export function createH3App(): H3 {
  return new H3()
    .get('/', () => HELLO)
    .get('/json', () => ({ message: HELLO }))
    .get('/users/:id', (e) => ({ id: getRouterParam(e, 'id') }));
}

const app: H3 = createH3App();
export default app;
