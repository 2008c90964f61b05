// serve() returns its Server at once; tests wait for the listening callback before using it.
import { serve, type ServeOptions } from '../../src/fetch/index.js';
import type { Server } from '../../src/server/server.js';

export function serveListening(options: ServeOptions): Promise<Server> {
  return new Promise((resolve) => {
    const server = serve(options, () => resolve(server));
  });
}

/** Global Request/Response as the process started; serve() replaces them by default. */
const ORIGINAL = {
  Request: Object.getOwnPropertyDescriptor(globalThis, 'Request')!,
  Response: Object.getOwnPropertyDescriptor(globalThis, 'Response')!,
};

export function restoreGlobals(): void {
  Object.defineProperty(globalThis, 'Request', ORIGINAL.Request);
  Object.defineProperty(globalThis, 'Response', ORIGINAL.Response);
}
