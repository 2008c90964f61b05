// Contender: koa on node:http.
import http from 'node:http';
import { HOST, PORT, koaApp } from './node-apps.js';

http.createServer(koaApp()).listen(PORT, HOST);
