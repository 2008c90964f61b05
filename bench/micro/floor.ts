// What V8 itself charges for an `async` middleware layer, with no transport: the floor
// under issue 13's "each async pass-through ≤ 0.1 µs" target.
//
// A chain in plain JavaScript, shaped as the hello app's (bench/http/servers/hello-app.ts):
// a route that answers synchronously through a send that only records the status, inside
// 0, 1 or 2 layers written the way users write middleware
// (`async dispatch(s, r, x) { await this.app(s, r, x); }`, bound once as the chain does).
// The caller subscribes to a returned promise with `.then(done, failed)` once, as the
// transport does (core.ts). No scope, parser, exchange or socket: the difference between
// the rows is the async function's promise, the await of a non-promise and its microtask
// hops, and nothing of ours.

import { REALISTIC } from './shapes.js';

/** The scope the floor's chain passes along (never read). */
const SCOPE = { type: 'http' };
const RECEIVE = (): Promise<unknown> => Promise.resolve(null);

type Plain = (scope: unknown, receive: unknown, send: (status: number) => void) => void | Promise<void>;

class AsyncLayer {
  readonly app: Plain;
  constructor(app: Plain) {
    this.app = app;
  }
  async dispatch(scope: unknown, receive: unknown, send: (status: number) => void): Promise<void> {
    await this.app(scope, receive, send);
  }
}

/** A chain of `layers` async pass-throughs around a synchronous route, called `calls` times per run(). */
export class FloorChain {
  answered = 0;
  settled = 0;
  private readonly app: Plain;
  private readonly send = (status: number): void => {
    if (status === 200) this.answered++;
  };
  private readonly done = (): void => {
    this.settled++;
  };
  private readonly failed = (err: unknown): void => {
    throw err;
  };

  constructor(layers: number) {
    let app: Plain = (_scope, _receive, send) => {
      send(200);
    };
    for (let i = 0; i < layers; i++) {
      const layer = new AsyncLayer(app);
      app = layer.dispatch.bind(layer);
    }
    this.app = app;
  }

  /** `calls` requests through the chain; the promise settles after their microtasks have run. */
  async run(calls: number): Promise<void> {
    for (let i = 0; i < calls; i++) {
      const result = this.app(SCOPE, RECEIVE, this.send);
      if (result !== undefined) result.then(this.done, this.failed);
    }
    // One await per run, the same for every row: the queued microtasks drain behind it.
    await undefined;
  }
}

/** What the transport's send returns: an already-settled promise. */
const SENT: Promise<void> = Promise.resolve();

export type FloorMessage = { type: string; status?: number; headers?: [string, string][]; body?: string };
export type FloorSend = (message: FloorMessage) => Promise<void>;
/** One request through the realistic app's own code: its Host value, the JSON it answers, where the messages go. */
export type FloorApp = (host: string, body: string, send: FloorSend) => Promise<void>;

const FIELDS: ReadonlyArray<readonly [string, string]> = [['content-type', 'application/json']];

/**
 * What the realistic app (bench/http/servers/realistic-app.ts) runs beyond the HTTP suite's
 * ceiling server (realistic-transport.ts), in plain JavaScript: a host compare, the two
 * async middlewares as written there (one wrapping send to add x-request-id), and the
 * response as ASGI's two messages (a wrapped send must see them, issue 13), made and
 * awaited as respond() makes them. No scope, router, header encoding or transport: the
 * least V8 charges for the app's own code. The JSON body is made by the caller, as the
 * ceiling server makes it too. Throws on a host other than `allowedHost`.
 */
export function realisticFloorApp(allowedHost: string): FloorApp {
  let ids = 0;
  const route = async (body: string, send: FloorSend): Promise<void> => {
    const headers: [string, string][] = new Array(FIELDS.length);
    for (let i = 0; i < FIELDS.length; i++) headers[i] = [FIELDS[i]![0], FIELDS[i]![1]];
    await send({ type: 'http.response.start', status: 200, headers });
    await send({ type: 'http.response.body', body });
  };
  const passThrough = async (body: string, send: FloorSend): Promise<void> => {
    await route(body, send);
  };
  const requestId = async (body: string, send: FloorSend): Promise<void> => {
    const id = String(++ids);
    const wrapped: FloorSend = async (message) => {
      if (message.type === 'http.response.start') message = { ...message, headers: [...message.headers!, ['x-request-id', id]] };
      await send(message);
    };
    await passThrough(body, wrapped);
  };
  return (host, body, send) => {
    if (host !== allowedHost) throw new Error(`host ${host} is not allowed`);
    return requestId(body, send);
  };
}

/** realisticFloorApp() called `calls` times per run(), its messages counted: the micro row under the realistic app's. */
export class RealisticFloor {
  answered = 0;
  settled = 0;
  private readonly app = realisticFloorApp(REALISTIC.host);
  private readonly send: FloorSend = (message) => {
    if (message.type === 'http.response.body' && message.body === REALISTIC.body) this.answered++;
    return SENT;
  };
  private readonly done = (): void => {
    this.settled++;
  };
  private readonly failed = (err: unknown): void => {
    throw err;
  };

  /** `calls` requests; the promise settles after their microtasks have run. */
  async run(calls: number): Promise<void> {
    for (let i = 0; i < calls; i++) this.app(REALISTIC.host, REALISTIC.body, this.send).then(this.done, this.failed);
    await undefined;
  }
}
