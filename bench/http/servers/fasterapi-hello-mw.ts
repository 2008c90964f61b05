// Contender: the hello route behind TrustedHostMiddleware and one async pass-through (hello-app.ts).
// GC as the CLI chooses it for one server process (cli/gc.ts): the runner pins each server to
// one core, where V8's scavenger helper threads only wait for that core; both servers of the
// pair get the same setting, so the pair's ratio is the middlewares' cost (docs/design.md,
// "Garbage collection"). node:http and the other frameworks keep V8's defaults.
import { applyGc, singleThreadedGc } from '../../../src/cli/gc.js';
import { createHelloApp } from './hello-app.js';

applyGc(singleThreadedGc(undefined, 1));
await createHelloApp('host+async').listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
