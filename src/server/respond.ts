// respond(): the whole-response fast path, for the transport's own code and frameworks.
//
// The transport's send for a request is a closure made per request (exchange.ts bind()).
// respond() takes the fast path only when the `send` it is given is that very function,
// still current: a middleware that wrapped `send` gets ASGI messages, as it would from
// any other ASGI server, and the bytes on the wire are the same. How it knows, without
// allocating on the common path: while the app's synchronous part runs, the transport's
// send is in CURRENT (one compare); only when the app returns a promise with its response
// still to come is the closure marked with OWNER (a property, 40 bytes, for the later call).
import type { EncodedHeaders, Send, SendMessage } from '../types.js';
import { headPairs } from './response-head.js';

/** Marks the transport's own send with the exchange it answers for. */
export const OWNER: unique symbol = Symbol('fasterapi.send.owner');

/** What respond() needs of the exchange (server/exchange.ts). */
export interface FastResponder {
  readonly send: unknown;
  respond(status: number, head: EncodedHeaders | null, body: string | Uint8Array | null, reason?: string): void;
}

type Marked = Send & { [OWNER]?: FastResponder };

/** The send of the request whose app is running synchronously right now (core.ts dispatch), and its exchange. */
export const CURRENT: { send: Send | null; owner: FastResponder | null } = { send: null, owner: null };

/** Marks `send` as `owner`'s for respond() calls after the app's synchronous part. */
export function markSend(send: Send, owner: FastResponder): void {
  (send as Marked)[OWNER] = owner;
}

const NO_FIELDS: ReadonlyArray<readonly [string, string]> = Object.freeze([]);

/**
 * Sends a whole response: `head` from encodeHeaders() (made once at start-up),
 * content-length added. With the transport's own `send`, nothing is allocated and the
 * response is written before this returns (a bad status or body throws here). Behind a
 * wrapped `send`, the same response goes as http.response.start + http.response.body and
 * the returned promise settles when both were sent. `reason`: the status line's phrase, as
 * on http.response.start (our extension; absent or empty: the standard one).
 */
export function respond(send: Send, status: number, head: EncodedHeaders | null, body: string | Uint8Array | null, reason?: string): void | Promise<void> {
  if (send === CURRENT.send) {
    CURRENT.owner!.respond(status, head, body, reason);
    return;
  }
  const owner = (send as Marked)[OWNER];
  if (owner !== undefined && owner.send === send) {
    owner.respond(status, head, body, reason);
    return;
  }
  return asMessages(send, status, head, body, reason);
}

async function asMessages(send: Send, status: number, head: EncodedHeaders | null, body: string | Uint8Array | null, reason: string | undefined): Promise<void> {
  // Fresh arrays: a wrapper may add to or change the list it is given (Starlette's MutableHeaders does).
  const fields = head === null ? NO_FIELDS : (head.fields ?? headPairs(head.bytes.latin1Slice(0, head.bytes.length)));
  const headers: [string, string][] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) headers[i] = [fields[i][0], fields[i][1]];
  await send((reason === undefined ? { type: 'http.response.start', status, headers } : { type: 'http.response.start', status, headers, reason }) satisfies SendMessage);
  await send({ type: 'http.response.body', body: body ?? EMPTY } satisfies SendMessage);
}

const EMPTY = new Uint8Array(0);
