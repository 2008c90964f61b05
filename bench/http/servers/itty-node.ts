// Contender: itty-router on node:http through @whatwg-node/server (itty's documented Node way).
import http from 'node:http';
import { createServerAdapter } from '@whatwg-node/server';
import { createIttyApp } from './itty-app.js';

http.createServer(createServerAdapter(createIttyApp().fetch)).listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
