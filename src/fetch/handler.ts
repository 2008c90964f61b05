// createFetchHandler(): a WHATWG fetch handler `(request, env) => Response` as an
// ASGI-style app for the transport.
import { bufferedBodyCap } from '../server/options.js';
import type { App, Receive, Scope, Send } from '../types.js';
import { FetchEnv } from './env.js';
import { installGlobals } from './globals.js';
import { respond } from '../server/respond.js';
import { FetchRequest, kFinish, kTooLarge } from './request.js';
import { RequestUrlError } from './url.js';
import { defaultTypeLine, writeResponse } from './write.js';
import { UPGRADED, openChannel, upgraded } from './websocket.js';

/** A fetch-style handler, e.g. Hono's `app.fetch`. */
export type FetchHandler = (request: Request, env: FetchEnv) => Response | Promise<Response>;

export interface FetchHandlerOptions {
  /**
   * Install fasterapi's light Response (and a Request that accepts the lazy requests) as
   * the globals, so frameworks that call `new Response()` (Hono's c.json, Elysia, …)
   * skip the ~25 µs a platform Response costs on Node 20. Default true, as
   * @hono/node-server's; false leaves the globals alone (code that checks
   * `Object.getPrototypeOf(res) === Response.prototype`, or another library that
   * replaces them too).
   */
  overrideGlobalObjects?: boolean;
  /**
   * Most bytes a buffered body read (`text()`, `json()`, `arrayBuffer()`, `bytes()`,
   * `blob()`) takes; past it the read rejects and the request is answered 413. Streamed
   * reads (`request.body`) are not capped here. Default 64 MiB; 0: no cap.
   */
  maxBufferedBodySize?: number;
  /**
   * Content-Type sent with a body the Response gives none (a stream, bytes). Default
   * 'text/plain; charset=UTF-8', as @hono/node-server; null sends none, as srvx (h3's and
   * Elysia's Node server), @whatwg-node/server and node:http (the CLI passes null for
   * every app but Hono). String bodies are typed by the Response itself.
   */
  defaultContentType?: string | null;
}

export { MAX_BUFFERED_BODY } from '../server/options.js';

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
  if (options.overrideGlobalObjects !== false) installGlobals();
  const cap = bufferedBodyCap(options.maxBufferedBodySize);
  const typeLine = defaultTypeLine(options.defaultContentType);
  return function fetchApp(scope: Scope, receive: Receive, send: Send): void | Promise<void> {
    const req = new FetchRequest(scope, receive, cap);
    if (scope.type === 'websocket') openChannel(req, receive, send); // for upgradeWebSocket (fetch/websocket.ts)
    let res: Response | Promise<Response>;
    try {
      res = fetch(req as unknown as Request, new FetchEnv(scope.client));
    } catch (err) {
      return failed(req, err, send);
    }
    if (typeof (res as Promise<Response>)?.then === 'function') {
      return (res as Promise<Response>).then(
        (r) => write(req, r, send, typeLine),
        (err) => failed(req, err, send),
      );
    }
    return write(req, res as Response, send, typeLine);
  };
}

function write(req: FetchRequest, res: Response, send: Send, typeLine: string): void | Promise<void> {
  // The app may have caught the error of a capped read and answered something else.
  if (req[kTooLarge]) return tooLarge(req, send);
  if (res === UPGRADED) return upgraded(req);
  let p: void | Promise<void>;
  try {
    p = writeResponse(req, res, send, typeLine);
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
  if (req[kTooLarge]) return tooLarge(req, send);
  req[kFinish]();
  if (err instanceof RequestUrlError) return respond(send, 400, null, null);
  throw err;
}

function tooLarge(req: FetchRequest, send: Send): void | Promise<void> {
  req[kFinish]();
  return respond(send, 413, null, null);
}
