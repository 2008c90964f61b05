// Errors and closing: a request the server refuses, an app that fails or never finishes,
// the client's FIN and the socket's close. Every path leaves the FIFO consistent and
// returns each exchange to the pool exactly once.
import * as llhttp from '../parser/llhttp.js';
import { Connection } from './connection.js';
import { errorResponse } from './response-head.js';
import { type Exchange, RESPONSE } from './exchange.js';
import { flush, writeDirect } from './output.js';

export abstract class ClosableConnection extends Connection {
  /** Ill-formed or rejected request: answer `status` after the earlier responses, then close. */
  fail(status: number): void {
    if (this.closing && this.errorStatus !== 0) return;
    this.startClosing();
    this.errorStatus = status;
    this.pending = null;
    const ex = this.parsing;
    this.parsing = null;
    if (ex !== null) {
      if (!ex.dispatched) {
        this.unlink(ex);
        this.core.release(ex);
      } else {
        ex.disconnect();
        if (ex.answeredByServer()) {
          this.finish(ex);
          return;
        }
        this.errorStatus = 0; // its response has begun: the close is the only signal left
        this.maybeRelease(ex); // answered already (before its bad body): back to the pool
      }
    }
    if (this.first === null) this.closeWhenFlushed();
  }

  /**
   * Closes a connection with nothing in flight. Marked closing first: a request that
   * crosses our FIN on the wire is not read, so the app never runs a request whose
   * answer could not be sent (the client sees the close and may retry it safely).
   */
  closeIdle(): void {
    this.startClosing();
    this.closeWhenFlushed();
  }

  protected closeWhenFlushed(): void {
    if (this.closed) return;
    const s = this.socket;
    if (this.errorStatus !== 0) {
      writeDirect(this, errorResponse(this.errorStatus));
      this.errorStatus = 0;
    } else {
      flush();
    }
    if (!s.destroyed) s.end();
    // A paused socket never sees the client's FIN, so 'close' would wait for the linger
    // sweep: read on (read() drops everything once closing) until the client closes.
    if (this.pause !== 0) s.resume();
  }

  /** App threw or rejected: 500 if nothing was sent yet, otherwise the connection is closed. */
  appFailed(ex: Exchange, err: unknown): void {
    this.core.logError('Exception in application', err);
    if (ex.responseState === RESPONSE.NONE && !this.closed) {
      ex.respondAppError();
    } else if (ex.responseState !== RESPONSE.ENDED) {
      this.abort();
      this.abandon(ex);
      return;
    }
    this.maybeRelease(ex);
  }

  /** App returned without completing its response. */
  appIncomplete(ex: Exchange): void {
    if (this.closed) {
      this.abandon(ex); // client gone: nothing to answer
      return;
    }
    if (ex.responseState === RESPONSE.NONE) {
      this.core.logError('Application returned without sending a response');
      ex.respondAppError();
    } else {
      this.core.logError('Application returned without completing its response');
      this.abort();
      this.abandon(ex);
      return;
    }
    this.maybeRelease(ex);
  }

  /**
   * The app has not finished its response within requestTimeout (from the request's first
   * byte): 503 and close when nothing was sent, else the connection is cut. The app may
   * still be running; whatever it sends later goes nowhere (the response has ended).
   */
  appTimedOut(ex: Exchange, limitMs: number): void {
    const what = `${ex.scope.method} ${ex.scope.rawPath}`;
    const outcome = ex.responseState === RESPONSE.NONE ? 'answered 503' : 'connection closed';
    this.core.logWarning(`request timeout: ${what} was not answered within ${limitMs / 1000} s (requestTimeout); ${outcome}`);
    if (ex.responseState === RESPONSE.NONE && !this.closed) {
      ex.keepAlive = false;
      ex.respond(503, null, 'Service Unavailable');
    } else {
      this.abort();
      this.abandon(ex);
    }
  }

  /**
   * The app has settled but its response can never complete (connection gone or cut):
   * the exchange counts as answered, so the FIFO moves on and it returns to the pool.
   */
  private abandon(ex: Exchange): void {
    if (ex.abandon()) this.finish(ex);
    this.maybeRelease(ex);
  }

  abort(): void {
    flush();
    this.socket.destroy();
  }

  /** Client sent FIN: answer what is in flight, then close (half-close still gets responses), or with allowHalfOpen false close now. */
  onEnd(): void {
    if (this.closed) return;
    if (!this.core.allowHalfOpen && (this.first !== null || this.parsing !== null)) {
      // A disconnect (node:http's default): closed now, so every app in flight hears it at once.
      this.peerEnded = true;
      this.abort();
      this.onClose();
      return;
    }
    const ex = this.parsing;
    if (ex !== null && !this.closing) {
      // EOF in the middle of a message: nothing more will come for it.
      this.parsing = null;
      if (!ex.dispatched) {
        this.unlink(ex);
        this.core.release(ex);
      } else {
        ex.disconnect();
        this.startClosing();
        this.maybeRelease(ex); // answered before its body ended: nobody else returns it
      }
    }
    // Responses in flight are still sent (half-close), but an app waiting in receive()
    // after its whole body is watching for the client to leave: tell it, as node:http
    // and uvicorn report a FIN as a disconnect.
    this.peerEnded = true;
    for (let e = this.first; e !== null; e = e.next) e.peerGone();
    this.startClosing();
    if (this.first === null) this.closeWhenFlushed();
  }

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.startClosing(); // closed implies closing: maybeRelease() may return what is held
    for (let ex = this.first; ex !== null; ex = ex.next) ex.disconnect();
    if (this.parsing !== null && this.parsing !== this.last) this.parsing.disconnect();
    const p = this.parsing;
    if (p !== null) {
      // The request being read when the connection went (a reset mid-head, or a body
      // still arriving after its answer): nothing more comes for it, so it goes back to
      // the pool now or when its app settles, instead of never.
      this.parsing = null;
      if (!p.dispatched) {
        this.unlink(p);
        this.core.release(p);
      } else this.maybeRelease(p);
    }
    llhttp.freeParser(this.parser);
    this.parser = 0;
    this.core.forget(this);
  }
}
