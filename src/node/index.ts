export { createServer, NodeServer, NODE_TRANSPORT_OPTIONS } from './server.js';
export type { NodeServerOptions } from './server.js';
export { createNodeApp } from './app.js';
export type { NodeAppOptions, RequestListener } from './app.js';
export { NodeSocket } from './socket.js';
export { NodeResponse } from './response.js';
