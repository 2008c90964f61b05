// Contender: the realistic app on fasterapi's app layer (realistic-app.ts).
import { createRealisticApp } from './realistic-app.js';

await createRealisticApp().listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
