// Contender: plain node:http. GET / text, GET /json, GET /ip (first X-Forwarded-For entry, parsed by hand).
import http from 'node:http';
import { HOST, PORT, plainListener } from './node-apps.js';

http.createServer(plainListener).listen(PORT, HOST);
