// Contender: the same itty-router app through the fasterapi CLI (default options).
import { serveWithCli } from './cli-serve.js';

serveWithCli(new URL('./itty-app.js', import.meta.url));
