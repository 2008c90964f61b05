// One request's receive() channel, shared by the body reader and the disconnect watcher.
// Created on the first read of Request.body / text() / signal, so a GET whose handler
// touches neither never calls receive() at all.
import type { Receive, ReceiveMessage, RequestMessage } from '../types.js';

/** Body bytes the watcher may take off the transport ahead of the reader. */
const WATCH_HIGH_WATER = 64 * 1024;
const EMPTY = new Uint8Array(0);
const DISCONNECT: ReceiveMessage = Object.freeze({ type: 'http.disconnect' });
const END: ReceiveMessage = Object.freeze({ type: 'http.request', body: EMPTY, moreBody: false });

/** Told when the client goes away before the response has ended. */
export interface DisconnectListener {
  clientGone(): void;
}

/**
 * Keeps at most one receive() in flight. The body reader asks with read(); the watcher
 * (armed by `watch()`, for Request.signal and streamed responses) keeps a receive()
 * pending so a disconnect is noticed while nobody reads: body messages it gets are
 * queued for the reader, up to WATCH_HIGH_WATER, so the transport's own backpressure
 * still applies. After the body, the transport's receive() waits for the disconnect
 * or for the end of the response.
 *
 * receive() is never called once `finish()` ran: the exchange behind it goes back to
 * the pool when the response ends.
 */
export class Inbox {
  private readonly receive: Receive;
  private readonly listener: DisconnectListener;
  private queue: RequestMessage[] = [];
  private queued = 0;
  private inflight = false;
  private waiter: ((m: ReceiveMessage) => void) | null = null;
  private watching = false;
  /** The last body message has been received. */
  ended = false;
  /** The client went away before the response ended. */
  disconnected = false;
  /** The response has ended. */
  finished = false;
  private readonly onMessage: (m: ReceiveMessage) => void;

  constructor(receive: Receive, listener: DisconnectListener) {
    this.receive = receive;
    this.listener = listener;
    this.onMessage = (m) => this.take(m);
  }

  /** Next body message; `http.disconnect` when the client left (or the response ended first). */
  read(): Promise<ReceiveMessage> {
    if (this.queue.length > 0) {
      const m = this.queue.shift()!;
      this.queued -= m.body.length;
      this.pump();
      return Promise.resolve(m);
    }
    if (this.disconnected || this.finished) return Promise.resolve(DISCONNECT);
    if (this.ended) return Promise.resolve(END);
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.pump();
    });
  }

  /** Keep a receive() pending from now on, to notice a disconnect. */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    this.pump();
  }

  /** The response has ended: no more receive() calls. */
  finish(): void {
    this.finished = true;
  }

  private pump(): void {
    if (this.inflight || this.disconnected || this.finished) return;
    if (this.waiter === null && (!this.watching || (!this.ended && this.queued >= WATCH_HIGH_WATER))) return;
    this.inflight = true;
    this.receive().then(this.onMessage);
  }

  private take(m: ReceiveMessage): void {
    this.inflight = false;
    const w = this.waiter;
    if (m.type === 'http.disconnect') {
      this.waiter = null;
      if (!this.finished) {
        this.disconnected = true;
        this.listener.clientGone();
      }
      if (w !== null) w(m);
      return;
    }
    if (!m.moreBody) this.ended = true;
    if (w !== null) {
      this.waiter = null;
      w(m);
    } else if (m.body.length > 0) {
      this.queue.push(m);
      this.queued += m.body.length;
    }
    this.pump();
  }
}
