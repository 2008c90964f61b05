// Contender: the node-http contender's listener on fasterapi/node: what the layer costs without a framework.
import { createServer } from '../../../src/node/index.js';
import { HOST, PORT, plainListener } from './node-apps.js';

createServer(plainListener).listen(PORT, HOST);
