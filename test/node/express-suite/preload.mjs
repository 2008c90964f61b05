// Loaded with --import before Express's own test suite: every http.createServer (supertest's,
// app.listen's) makes a fasterapi/node server instead. No Express code lives in this repo.
import http from 'node:http';
import { createServer } from '../../../dist/src/node/index.js';

http.createServer = createServer;
