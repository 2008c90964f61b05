// Contender: the hello route behind TrustedHostMiddleware and one async pass-through (hello-app.ts).
import { createHelloApp } from './hello-app.js';

await createHelloApp('host+async').listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
