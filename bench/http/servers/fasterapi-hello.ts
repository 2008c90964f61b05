// Contender: the hello route on fasterapi's app layer, no middleware (hello-app.ts).
import { createHelloApp } from './hello-app.js';

await createHelloApp('bare').listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
