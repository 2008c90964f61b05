// ASGI lifespan: the app is called once with a 'lifespan' scope before the server accepts
// connections, receives lifespan.startup, answers lifespan.startup.complete (or .failed);
// at shutdown, after the last in-flight request, it receives lifespan.shutdown.
// https://asgi.readthedocs.io/en/latest/specs/lifespan.html
import type { App, LifespanMessage, Logger, Receive, Scope, Send, SendMessage } from '../types.js';

/** Brand on apps that handle 'lifespan' scopes (Faster's asgi): lifespan 'auto' runs it for them. */
export const HANDLES_LIFESPAN: unique symbol = Symbol.for('fasterapi.handlesLifespan');

/** A startup that failed: `message` is one line, for the CLI to print before exiting 2. */
export class LifespanError extends Error {}

const STATE = { IDLE: 0, STARTING: 1, STARTED: 2, STOPPING: 3, DONE: 4, UNSUPPORTED: 5 } as const;
type State = (typeof STATE)[keyof typeof STATE];

export class Lifespan {
  private state: State = STATE.IDLE;
  private readonly run: boolean;
  private readonly strict: boolean;
  /** Settles the step in progress (startup or shutdown). */
  private settle: ((err: Error | null) => void) | null = null;
  /** receive() waiting for lifespan.shutdown. */
  private shutdownWaiter: ((m: LifespanMessage) => void) | null = null;

  private readonly app: App;
  private readonly logger: Logger;

  constructor(app: App, mode: 'auto' | 'on' | 'off' | undefined, logger: Logger) {
    this.app = app;
    this.logger = logger;
    const m = mode ?? 'auto';
    if (m !== 'auto' && m !== 'on' && m !== 'off') throw new TypeError(`lifespan must be 'auto', 'on' or 'off', got ${String(mode)}`);
    this.strict = m === 'on';
    this.run = m === 'on' || (m === 'auto' && (app as { [HANDLES_LIFESPAN]?: boolean })[HANDLES_LIFESPAN] === true);
  }

  /** Runs the app's startup; rejects with a LifespanError when it failed. */
  startup(): Promise<void> {
    if (!this.run || this.state !== STATE.IDLE) return Promise.resolve();
    this.state = STATE.STARTING;
    const step = this.step();
    const scope = { type: 'lifespan', state: {} } as unknown as Scope;
    let result: unknown;
    try {
      result = this.app(scope, this.receive, this.send);
    } catch (err) {
      this.appEnded(err);
      return step;
    }
    Promise.resolve(result).then(
      () => this.appEnded(null),
      (err: unknown) => this.appEnded(err ?? new Error('lifespan app rejected')),
    );
    return step;
  }

  /** Runs the app's shutdown (after the last request); a failure is logged, never thrown. */
  shutdown(): Promise<void> {
    if (this.state !== STATE.STARTED) return Promise.resolve();
    this.state = STATE.STOPPING;
    const step = this.step().catch((err: Error) => this.logger.error(`lifespan shutdown failed: ${err.message}`));
    const w = this.shutdownWaiter;
    this.shutdownWaiter = null;
    w?.({ type: 'lifespan.shutdown' });
    return step;
  }

  private step(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = (err) => {
        this.settle = null;
        if (err === null) resolve();
        else reject(err);
      };
    });
  }

  private readonly receive = ((): Promise<LifespanMessage> => {
    if (this.state === STATE.STARTING) return Promise.resolve({ type: 'lifespan.startup' });
    if (this.state === STATE.STOPPING) return Promise.resolve({ type: 'lifespan.shutdown' });
    return new Promise((resolve) => {
      this.shutdownWaiter = resolve;
    });
  }) as unknown as Receive;

  private readonly send: Send = (msg: SendMessage): Promise<void> => {
    const type = msg.type;
    if (this.state === STATE.STARTING && type === 'lifespan.startup.complete') {
      this.state = STATE.STARTED;
      this.settle?.(null);
    } else if (this.state === STATE.STARTING && type === 'lifespan.startup.failed') {
      this.state = STATE.DONE;
      this.settle?.(new LifespanError(`application startup failed${reason(msg)}`));
    } else if (this.state === STATE.STOPPING && type === 'lifespan.shutdown.complete') {
      this.state = STATE.DONE;
      this.settle?.(null);
    } else if (this.state === STATE.STOPPING && type === 'lifespan.shutdown.failed') {
      this.state = STATE.DONE;
      this.settle?.(new Error(`application shutdown failed${reason(msg)}`));
    } else if (this.state === STATE.STARTING && !this.strict) {
      // An app that answers a lifespan scope like a request does not speak lifespan.
      this.unsupported(`it sent ${type}`);
    } else {
      return Promise.reject(new Error(`lifespan: unexpected ${type}`));
    }
    return Promise.resolve();
  };

  /** The app's call returned or threw. */
  private appEnded(err: unknown): void {
    if (this.state === STATE.STARTING) {
      if (!this.strict) this.unsupported(err === null ? 'it returned without completing startup' : `it raised ${oneLine(err)}`);
      else {
        this.state = STATE.DONE;
        const why = err === null ? 'the app returned without completing startup' : oneLine(err);
        this.settle?.(new LifespanError(`application startup failed: ${why}`));
      }
    } else if (this.state === STATE.STOPPING) {
      this.state = STATE.DONE;
      this.settle?.(err === null ? null : new Error(oneLine(err)));
    } else if (err !== null) {
      this.logger.error('lifespan: the app failed', err);
    }
  }

  /** 'auto': the app does not take part; serving goes on without lifespan (as uvicorn). */
  private unsupported(why: string): void {
    this.state = STATE.UNSUPPORTED;
    this.logger.debug?.(`lifespan: not supported by the app (${why}); serving without it`);
    this.settle?.(null);
  }
}

function reason(msg: SendMessage): string {
  const m = (msg as { message?: unknown }).message;
  return typeof m === 'string' && m.length > 0 ? `: ${oneLine(m)}` : '';
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.split('\n')[0].trim();
}
