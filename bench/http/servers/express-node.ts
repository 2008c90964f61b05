// Contender: express on node:http.
import http from 'node:http';
import { HOST, PORT, expressApp } from './node-apps.js';

http.createServer(expressApp()).listen(PORT, HOST);
