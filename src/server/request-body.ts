// The request body side of an exchange: body spans from the parser queued for the app's
// receive(), the end of the body, and the disconnect an app waiting in receive() is told.
import type { ReceiveMessage } from '../types.js';
import { DISCONNECT, END_OF_BODY, ExchangeState, PHASE, RESPONSE } from './exchange-state.js';

export abstract class ExchangeBody extends ExchangeState {
  /** A body span from the parser (a view over the read chunk, which is never reused). */
  pushBody(chunk: Buffer): void {
    const w = this.receiveWaiter;
    if (w !== null) {
      this.receiveWaiter = null;
      w({ type: 'http.request', body: chunk, moreBody: true });
      return;
    }
    if (this.bodyQueue === null) this.bodyQueue = [];
    this.bodyQueue.push(chunk);
    this.bodyQueued += chunk.length;
  }

  /** The parser reached the end of the request. */
  endBody(): void {
    this.phase = PHASE.DONE;
    const w = this.receiveWaiter;
    if (w !== null) {
      this.receiveWaiter = null;
      this.bodyDelivered = true;
      w(END_OF_BODY);
    }
  }

  /** The connection is gone or the request was cut off: wake a waiting receive(). */
  disconnect(): void {
    const w = this.receiveWaiter;
    if (w !== null) {
      this.receiveWaiter = null;
      w(DISCONNECT);
    }
    const d = this.drainWaiter;
    if (d !== null) {
      this.drainWaiter = null;
      d();
    }
  }

  /** The client sent FIN: a receive() waiting after the whole body gets http.disconnect. */
  peerGone(): void {
    if (this.bodyDelivered) this.wakeReceiver();
  }

  /** The response ended: a receive() still waiting gets http.disconnect. */
  protected wakeReceiver(): void {
    const w = this.receiveWaiter;
    if (w !== null) {
      this.receiveWaiter = null;
      w(DISCONNECT);
    }
  }

  protected doReceive(): Promise<ReceiveMessage> {
    const conn = this.conn;
    if (conn === null || conn.closed) return Promise.resolve(DISCONNECT);
    // Not yet the connection's turn to write: finish() sends it once it is.
    if (this.expectContinue && conn.sendContinue(this)) this.expectContinue = false;
    const q = this.bodyQueue;
    if (q !== null && q.length > 0) {
      const body = q.length === 1 ? q[0] : Buffer.concat(q, this.bodyQueued);
      q.length = 0;
      this.bodyQueued = 0;
      conn.bodyConsumed(this);
      const more = this.phase !== PHASE.DONE;
      if (!more) this.bodyDelivered = true;
      return Promise.resolve({ type: 'http.request', body, moreBody: more });
    }
    if (this.phase === PHASE.DONE && !this.bodyDelivered) {
      this.bodyDelivered = true;
      return Promise.resolve(END_OF_BODY);
    }
    // After the whole body, receive() waits for the disconnect or the end of the response
    // (ASGI: http.disconnect "if receive is called after a response has been sent or
    // after the HTTP connection has been closed"), so an app can watch for a client leaving.
    if (this.responseState === RESPONSE.ENDED || conn.peerEnded) return Promise.resolve(DISCONNECT);
    return new Promise((resolve) => {
      this.receiveWaiter = resolve;
    });
  }
}
