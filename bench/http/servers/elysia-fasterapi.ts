// Contender: the same Elysia app through the fasterapi CLI (default options).
import { serveWithCli } from './cli-serve.js';

serveWithCli(new URL('./elysia-app.js', import.meta.url));
