// Loaded with --import into every test process of Koa's own suite: each http.createServer
// (supertest's for app.callback(), app.listen's) makes a fasterapi/node server instead.
// No Koa code lives in this repo.
import http from 'node:http';
import { createServer } from '../../../dist/src/node/index.js';

http.createServer = createServer;
