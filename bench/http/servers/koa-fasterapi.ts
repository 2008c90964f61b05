// Contender: the same koa app on fasterapi/node.
import { createServer } from '../../../src/node/index.js';
import { HOST, PORT, koaApp } from './node-apps.js';

createServer(koaApp()).listen(PORT, HOST);
