// Contender: the same express app on fasterapi/node.
import { createServer } from '../../../src/node/index.js';
import { HOST, PORT, expressApp } from './node-apps.js';

createServer(expressApp()).listen(PORT, HOST);
