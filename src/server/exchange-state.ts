// The state of one request/response in flight: every field of a pooled exchange, set in
// one order by resetState() (one hidden class). request-body.ts and exchange.ts add the
// behaviour, each a layer over this one.
import { Scope } from '../scope/scope.js';
import { SpanRecorder } from '../scope/spans.js';
import type { ReceiveMessage } from '../types.js';
import type { Writer } from './output.js';
import type { FieldBytes } from './response-head.js';
import { LINE } from './chunk-ext.js';

export const PHASE = { HEAD: 0, BODY: 1, DONE: 2 } as const;
export const RESPONSE = { NONE: 0, STARTED: 1, HEAD_SENT: 2, ENDED: 3 } as const;
/** Trailers (http.response.trailers): none promised, promised, the body has ended, some written. */
export const TRAILERS = { NONE: 0, PROMISED: 1, WAITING: 2, WRITING: 3 } as const;

export const EMPTY = Buffer.alloc(0);
export const RESOLVED: Promise<void> = Promise.resolve();
export const DISCONNECT: ReceiveMessage = Object.freeze({ type: 'http.disconnect' }) as ReceiveMessage;
export const END_OF_BODY: ReceiveMessage = Object.freeze({ type: 'http.request', body: EMPTY, moreBody: false }) as ReceiveMessage;

/**
 * What an exchange needs of the connection it belongs to (server/connection.ts): its place
 * in the FIFO, the write side, and where it reports the end of its response and of its
 * app. Declared here so that the connection depends on the exchange and not both ways.
 */
export interface ExchangeOwner extends Writer {
  /** The exchange whose response may be written now (the FIFO's first). */
  readonly first: ExchangeState | null;
  readonly closed: boolean;
  readonly peerEnded: boolean;
  /** A status the connection will answer after the queued responses (then close), or 0. */
  readonly errorStatus: number;
  readonly writeBlocked: boolean;
  /** Bytes held by responses waiting their turn (counted by the exchange as it defers them). */
  held: number;
  /** 'server: …\r\n', or empty. */
  readonly serverLine: Buffer;
  /** The Date line (updated each second), or empty with dateHeader: false. */
  readonly dateLine: Buffer;
  /** The connection will read further requests (not closing, server not shutting down). */
  keepsAlive(): boolean;
  /** A response waiting its turn may hold more bytes. */
  hasRoom(): boolean;
  sendContinue(ex: ExchangeState): boolean;
  acceptUpgrade(ex: ExchangeState): void;
  bodyConsumed(ex: ExchangeState): void;
  /** The response of `ex` ended: the FIFO moves on. */
  finish(ex: ExchangeState): void;
  maybeRelease(ex: ExchangeState): void;
  appFailed(ex: ExchangeState, err: unknown): void;
  appIncomplete(ex: ExchangeState): void;
  /** Destroys the socket after flushing what is batched. */
  abort(): void;
}

export abstract class ExchangeState {
  readonly scope = new Scope();
  conn: ExchangeOwner | null = null;
  /** The next exchange in the connection's FIFO. */
  next: this | null = null;
  // request side
  phase: number = PHASE.HEAD;
  /** Where the URL and header spans are recorded (and copied when they outlive a read). */
  readonly spans = new SpanRecorder();
  keepAlive = true;
  upgrade = false;
  dispatched = false;
  /** Linked into its connection's FIFO (set on parse start, cleared when popped). */
  queued = false;
  upgradeAccepted = false;
  expectContinue = false;
  bodyBytes = 0;
  /** The request body is chunked: its framing is scanned for extensions (chunk-ext.ts). */
  bodyChunked = false;
  lineState: number = LINE.BEFORE;
  lineDigits = 0;
  extBytes = 0;
  bodyQueue: Buffer[] | null = null;
  bodyQueued = 0;
  bodyDelivered = false;
  receiveWaiter: ((m: ReceiveMessage) => void) | null = null;
  startedAt = 0;
  /** performance.now() at the first byte, for the onResponse hook; 0 when there is none. */
  startedPrecise = 0;
  // response side
  /** RESPONSE.*: how far the response has gone; written only by the exchange. */
  responseState: number = RESPONSE.NONE;
  status = 200;
  /** The app's own reason phrase (checked by customReason), or null for the table's. */
  reason: string | null = null;
  /** The ASGI start message's fields, encoded (response-head.ts FieldBytes); made on first use, kept across reuse. */
  fields: FieldBytes | null = null;
  headFramed = false;
  /** Content-Length the app set on the ASGI path (-1: none) and body bytes counted against it. */
  declared = -1;
  counted = 0;
  chunked = false;
  /** TRAILERS.* */
  trailers: number = TRAILERS.NONE;
  isHeadRequest = false;
  closeAfter = false;
  /** The app's own header block says connection: close (the transport adds no second field). */
  appClose = false;
  /** Output held while an earlier exchange on the connection is still answering. */
  deferred: Uint8Array[] | null = null;
  appPending = false;
  drainWaiter: (() => void) | null = null;

  /** Every field for a new request on `conn`, in declaration order. */
  protected resetState(conn: ExchangeOwner): void {
    this.scope.resetRequest();
    this.conn = conn;
    this.next = null;
    this.phase = PHASE.HEAD;
    this.spans.reset();
    this.keepAlive = true;
    this.upgrade = false;
    this.dispatched = false;
    this.queued = false;
    this.upgradeAccepted = false;
    this.expectContinue = false;
    this.bodyBytes = 0;
    this.bodyChunked = false;
    this.lineState = LINE.BEFORE;
    this.lineDigits = 0;
    this.extBytes = 0;
    this.bodyQueue = null;
    this.bodyQueued = 0;
    this.bodyDelivered = false;
    this.receiveWaiter = null;
    this.startedAt = 0;
    this.startedPrecise = 0;
    this.responseState = RESPONSE.NONE;
    this.status = 200;
    this.reason = null;
    // fields: kept for the next start message, which encodeFields() writes from its start.
    this.headFramed = false;
    this.declared = -1;
    this.counted = 0;
    this.chunked = false;
    this.trailers = TRAILERS.NONE;
    this.isHeadRequest = false;
    this.closeAfter = false;
    this.appClose = false;
    this.deferred = null;
    this.appPending = false;
    this.drainWaiter = null;
  }

  /**
   * The head passed the checks: the request's facts the response depends on. `keepAlive`
   * is the client's side (it asked, the per-socket request limit, not an upgrade: a
   * refused upgrade ends the connection); decideKeepAlive() adds the response's side.
   */
  headParsed(isHeadRequest: boolean, upgrade: boolean, keepAlive: boolean, bodyChunked: boolean): void {
    this.isHeadRequest = isHeadRequest;
    this.upgrade = upgrade;
    this.keepAlive = keepAlive;
    this.bodyChunked = bodyChunked;
    this.phase = PHASE.BODY;
  }

  /** The server answers in the app's place (an error response): true when nothing was sent yet. */
  answeredByServer(): boolean {
    if (this.responseState !== RESPONSE.NONE) return false;
    this.responseState = RESPONSE.ENDED;
    this.keepAlive = false;
    return true;
  }

  /** The response can never complete (connection gone or cut): it counts as ended. True when it had not. */
  abandon(): boolean {
    if (this.responseState === RESPONSE.ENDED) return false;
    this.responseState = RESPONSE.ENDED;
    return true;
  }
}
