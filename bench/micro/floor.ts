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
