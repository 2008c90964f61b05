// createFetchHandler(): a WHATWG fetch handler `(request, env) => Response` as an
// ASGI-style app for the transport.
import type { App, Receive, Scope, Send } from '../types.js';
import { FetchEnv } from './env.js';
import { installGlobals } from './globals.js';
import { FetchRequest, kFinish } from './request.js';
import { RequestUrlError } from './url.js';
import { writeResponse } from './write.js';
import { respond } from '../server/respond.js';

/** A fetch-style handler, e.g. Hono's `app.fetch`. */
export type FetchHandler = (request: Request, env: FetchEnv) => Response | Promise<Response>;

export interface FetchHandlerOptions {
  /**
   * Install fasterapi's lightweight Response (and a Request that accepts the lazy
   * requests) as the globals, so frameworks that call `new Response()` (Hono's c.json,
   * c.text, …) skip the ~25 µs a real Response costs on Node 20. Default false: no
   * global is replaced unless asked. @hono/node-server does this by default.
   */
  overrideGlobalObjects?: boolean;
}

/**
 * Serves `fetch` on the transport: `createServer(createFetchHandler(app.fetch))`.
 *
 * Per request: one lazy Request (url, headers, body and signal made on first read) and
 * one env object; the Response is written with one transport call when its body is a
 * string, bytes or null. A thrown or rejected handler is left to the transport (500,
 * logged through its logger); a request whose URL cannot be built gets 400.
 */
export function createFetchHandler(fetch: FetchHandler, options: FetchHandlerOptions = {}): App {
  if (typeof fetch !== 'function') throw new TypeError('fetch must be a function (request, env) => Response');
  if (options.overrideGlobalObjects === true) installGlobals();
  return function fetchApp(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    const req = new FetchRequest(scope, receive);
    let res: Response | Promise<Response>;
    try {
      res = fetch(req as unknown as Request, new FetchEnv(scope.client));
    } catch (err) {
      return failed(req, err, send);
    }
    if (typeof (res as Promise<Response>)?.then === 'function') {
      return (res as Promise<Response>).then(
        (r) => write(req, r, send),
        (err) => failed(req, err, send),
      );
    }
    return write(req, res as Response, send);
  };
}

function write(req: FetchRequest, res: Response, send: Send): void | Promise<void> {
  let p: void | Promise<void>;
  try {
    p = writeResponse(req, res, send);
  } catch (err) {
    req[kFinish]();
    throw err;
  }
  if (p !== undefined) {
    return p.then(undefined, (err) => {
      req[kFinish]();
      throw err;
    });
  }
}

/** The handler threw or rejected: 400 for a request whose URL cannot be made, else the transport's 500. */
function failed(req: FetchRequest, err: unknown, send: Send): void | Promise<void> {
  req[kFinish]();
  if (err instanceof RequestUrlError) return respond(send, 400, null, null);
  throw err;
}
