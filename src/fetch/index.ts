export { serve } from './serve.js';
export type { ServeOptions } from './serve.js';
export { createFetchHandler } from './handler.js';
export type { FetchHandler, FetchHandlerOptions } from './handler.js';
export { FetchEnv, getConnInfo } from './env.js';
export type { ConnInfo, SocketAddress } from './env.js';
export { FastResponse as Response } from './response.js';
export { installGlobals } from './globals.js';
