// The Elysia app of the "Elysia on @elysiajs/node" and "Elysia on fasterapi" contenders.
import { Elysia, type ElysiaConfig } from 'elysia';

const HELLO = 'Hello, World!';

/** `adapter`: @elysiajs/node's for its own server; none (web-standard) on fasterapi. */
export function createElysiaApp(adapter?: ElysiaConfig<''>['adapter']) {
  return new Elysia(adapter === undefined ? {} : { adapter })
    .get('/', () => HELLO)
    .get('/json', () => ({ message: HELLO }))
    .get('/users/:id', ({ params }) => ({ id: params.id }));
}

export default createElysiaApp();
