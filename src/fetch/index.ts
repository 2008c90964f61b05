import { FastResponse } from './response.js';

export { serve } from './serve.js';
export type { ServeOptions } from './serve.js';
export { createFetchHandler } from './handler.js';
export type { FetchHandler, FetchHandlerOptions } from './handler.js';
export { MAX_BUFFERED_BODY } from './handler.js';
export { FetchEnv, attachServerInfo, getConnInfo, requestIP } from './env.js';
export type { ConnInfo, RequestAddress, SocketAddress } from './env.js';
export { BodyTooLargeError } from './request.js';
export { installGlobals } from './globals.js';
export { upgradeWebSocket } from './websocket.js';
export type { UpgradeOptions } from './websocket.js';

/**
 * A Response that is cheap to make: status, headers and body are kept as given and
 * written by the adapter without building a real Response (see response.ts). Typed as
 * the global Response; `instanceof Response` holds either way.
 */
export const Response = FastResponse as unknown as typeof globalThis.Response;
export type Response = globalThis.Response;
