// createNodeApp(): a node:http `(req, res)` listener as a transport App. The one place a
// request becomes req/res and reaches the listener (createServer's 'request' too).
import { createHook } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receive, Scope, Send } from '../types.js';
import { requestStart, responseCreated } from './channels.js';
import { NodeResponse } from './response.js';
import { hasBody, makeRequest } from './request.js';
import { NodeSocket } from './socket.js';

/**
 * One process.nextTick() object kept alive for the life of the process. Its literal
 * (`{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }` in Node's
 * task_queues) is built with computed keys, whose feedback V8 turns megamorphic, for good,
 * the first time it sees a second map; with no tick object alive at a full GC that map
 * can be collected and made anew, and from then on every nextTick (node:http's and
 * streams' 8–10 per request) goes through the runtime. Fastify's bench server on the layer
 * hit it in 4 runs out of 4 (about 10% of its CPU under wrk keep-alive, perf), in 0 of 3
 * with this object kept; a one-route variant of it did not hit it (it depends on GC timing).
 */
export const keptTick: object | null = keepOneTick();

function keepOneTick(): object | null {
  let kept: object | null = null;
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (kept === null && type === 'TickObject') kept = resource as object;
    },
  }).enable();
  process.nextTick(noop);
  hook.disable();
  return kept;
}

function noop(): void {}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface NodeAppOptions {
  /** node:http's option: duplicate header values joined with ', ' instead of dropped. */
  joinDuplicateHeaders?: boolean;
}

/** What one request is handed to: the listener, and for createServer its emitter. */
export interface NodeTarget {
  server: EventEmitter | null;
  joinDuplicateHeaders: boolean;
  /** Listening on IPv6 (node:http's default '::'): an IPv4 peer is reported as '::ffff:a.b.c.d', as the kernel gives it. */
  dualStack: boolean;
  /** Called with the request ready; returns nothing (errors are the listener's, as on node:http). */
  dispatch(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void;
}

/**
 * The App that serves `listener` (Express, polka, Koa's `app.callback()`, any `(req, res)`
 * function) on the transport: `createServer(createNodeApp(app))` from 'fasterapi'.
 * A listener that throws synchronously gets the transport's 500, as an app error.
 */
export function createNodeApp(listener: RequestListener, options: NodeAppOptions = {}): App {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function (req, res)');
  const target: NodeTarget = {
    server: null,
    joinDuplicateHeaders: options.joinDuplicateHeaders === true,
    dualStack: false,
    dispatch: (req, res) => listener(req, res),
  };
  return (scope, receive, send) => serveRequest(target, scope, receive, send);
}

/** req/res for one request, the listener called, and a promise only when the response is still open after it. */
export function serveRequest(target: NodeTarget, scope: Scope, receive: Receive, send: Send): void | Promise<void> {
  const socket = new NodeSocket(scope, receive, send, target.dualStack);
  const req = makeRequest(scope, socket, target.joinDuplicateHeaders);
  const res = new NodeResponse(req, socket, target.server);
  socket.req = req;
  socket.res = res;
  if (responseCreated.hasSubscribers) responseCreated.publish({ request: req, response: res });
  if (requestStart.hasSubscribers) requestStart.publish({ request: req, response: res, socket, server: target.server });
  const body = hasBody(scope);
  const expectContinue = body && scope.headers.get('expect')?.toLowerCase() === '100-continue';
  if (expectContinue) res._expect_continue = true;
  target.dispatch(req, res as unknown as ServerResponse, expectContinue);
  if (!body) socket.noBody();
  if (res._fAbort !== null) throw res._fAbort;
  if (res.finished) return;
  return socket.pending();
}
