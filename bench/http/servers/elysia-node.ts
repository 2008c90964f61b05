// Contender: Elysia on @elysiajs/node.
import { node } from '@elysiajs/node';
import { createElysiaApp } from './elysia-app.js';

createElysiaApp(node()).listen({ port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
