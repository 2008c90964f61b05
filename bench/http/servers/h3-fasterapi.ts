// Contender: the same h3 app through the fasterapi CLI (default options).
import { serveWithCli } from './cli-serve.js';

serveWithCli(new URL('./h3-app.js', import.meta.url));
