// Opt-in replacement of the global Request and Response (overrideGlobalObjects: true).
import { FetchRequest, kNative } from './request.js';
import { FastResponse } from './response.js';

const NativeRequest = globalThis.Request;

/**
 * The global Request while overridden: a real Request class that also accepts the lazy
 * requests as input (`new Request(c.req.raw)`), and lets a stream body default to
 * `duplex: 'half'`.
 */
export class CompatRequest extends NativeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit & { duplex?: 'half' }) {
    if (input instanceof FetchRequest) input = input[kNative]();
    if (init?.body != null && typeof (init.body as ReadableStream).getReader === 'function' && init.duplex === undefined) {
      init = { ...init, duplex: 'half' };
    }
    super(input, init);
  }

  // `this` is the class `instanceof` was asked about: a subclass when it is not CompatRequest itself. The rule's
  // suggested fix (the class name) would make every subclass answer like CompatRequest.
  // biome-ignore-start lint/complexity/noThisInStatic: see above
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === CompatRequest) return value instanceof NativeRequest;
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
  // biome-ignore-end lint/complexity/noThisInStatic: see above
}

/** Makes FastResponse and CompatRequest the globals (idempotent). */
export function installGlobals(): void {
  if (globalThis.Response !== (FastResponse as unknown)) {
    Object.defineProperty(globalThis, 'Response', { value: FastResponse, writable: true, configurable: true });
  }
  if (globalThis.Request !== (CompatRequest as unknown)) {
    Object.defineProperty(globalThis, 'Request', { value: CompatRequest, writable: true, configurable: true });
  }
}
