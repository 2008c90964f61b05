// Contender: the same Hono app served by fasterapi's fetch adapter.
// The adapter is still being written: it is imported through a variable so that this file never
// breaks `npm run build` before src/fetch/index.ts exists. Once it does, this can become
// `import { serve } from '../../../src/fetch/index.js'`.
import { createHonoApp } from './hono-app.js';

type Serve = (options: { fetch: (request: Request) => Response | Promise<Response>; port: number; hostname: string; host: string }) => unknown;

const specifier = '../../../src/fetch/index.js';
const { serve } = (await import(specifier)) as { serve?: Serve };
if (typeof serve !== 'function') throw new Error('src/fetch/index.ts does not export serve() yet');

const app = createHonoApp();
const host = process.env.HOST ?? '127.0.0.1';
// Both spellings of the host option: @hono/node-server says `hostname`, a net-style adapter `host`.
await serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: host, host });
