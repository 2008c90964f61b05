export { createServer } from './create.js';
export type { CreateServerOptions } from './create.js';
export { Server } from './server/server.js';
export { encodeHeaders } from './server/encode.js';
export type { TransportOptions } from './server/options.js';
export type * from './types.js';
