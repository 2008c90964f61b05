// res: a ServerResponse by identity (instanceof, Express's prototype swap), whose header
// methods are node:http's own (same validation, same errors, same case rules) and whose
// output goes to the transport as send() messages instead of bytes on a socket.
import { EventEmitter } from 'node:events';
import { type IncomingMessage, ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import type { EncodedHeaders, ResponseBodyMessage, ResponseStartMessage, Send } from '../types.js';
import { RESOLVED } from '../server/exchange-state.js';
import { respond } from '../server/respond.js';
import { type HeaderLines, addHeaderLine, headPairs, notInTrailers } from '../server/response-head.js';
import { responseFinish } from './channels.js';

/** node:http keeps the headers under a symbol its own setHeader/getHeader/… use: found once. */
const kOutHeaders = symbolOf('kOutHeaders');
const kCorked = symbolOf('corked');

function symbolOf(description: string): symbol {
  const probe = new ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as IncomingMessage);
  const s = Object.getOwnPropertySymbols(probe).find((k) => k.description === description);
  if (s === undefined) throw new Error(`fasterapi/node: node:http has no ${description} on ServerResponse (Node ${process.version})`);
  return s;
}

/** What res needs of its socket (socket.ts's NodeSocket), named here so the two files import one way. */
export interface ResponseSocket {
  readonly send: Send;
  readonly destroyed: boolean;
  destroy(err?: Error): unknown;
  done(): void;
  readAhead(): void;
  setTimeout(ms: number, cb?: () => void): unknown;
}

type HeaderRecord = Record<string, [string, string | number | readonly string[]]>;
type WriteCallback = (err?: Error | null) => void;

/**
 * Only the methods that write are own properties (assigned per response, no closure):
 * Express swaps the prototype of `res` for one that inherits ServerResponse.prototype,
 * so everything else (setHeader, getHeader, writeHead with all its shapes, the
 * headersSent/writableEnded getters) is node:http's, reading the same fields node:http
 * keeps. writeHead ends in `_storeHeader`, which records the status and fields here.
 */
export class NodeResponse extends EventEmitter {
  // Declared, and assigned in the constructor in this order (see NodeSocket: class fields on an
  // EventEmitter subclass are defined one by one after super(), slower than assignments).
  // OutgoingMessage's fields, in its order (its prototype getters read them)
  declare outputData: unknown[];
  declare outputSize: number;
  declare writable: boolean;
  declare destroyed: boolean;
  declare _last: boolean;
  declare chunkedEncoding: boolean;
  declare shouldKeepAlive: boolean;
  declare maxRequestsOnConnectionReached: boolean;
  declare _defaultKeepAlive: boolean;
  declare useChunkedEncodingByDefault: boolean;
  declare sendDate: boolean;
  declare _removedConnection: boolean;
  declare _removedContLen: boolean;
  declare _removedTE: boolean;
  declare strictContentLength: boolean;
  declare _contentLength: number | null;
  declare _hasBody: boolean;
  declare _trailer: string;
  declare finished: boolean;
  declare _headerSent: boolean;
  declare _closed: boolean;
  declare socket: ResponseSocket | null;
  declare _header: string | null;
  declare _keepAliveTimeout: number;
  declare _onPendingData: () => void;
  declare req: IncomingMessage;
  declare _sent100: boolean;
  declare _expect_continue: boolean;
  declare statusCode: number;
  declare statusMessage: string | undefined;
  declare [kOutHeaders]: HeaderRecord | null;
  declare [kCorked]: number;
  // ours: _f-prefixed, as they share the object with Express's and the app's own properties
  /** @internal */ declare _fStatus: number;
  /** @internal the head's fields, checked and encoded by storeHeader */ declare _fLines: HeaderLines | null;
  /** @internal */ declare _fStarted: boolean;
  /** @internal the body goes chunked (see storeHeader) */ declare _fChunked: boolean;
  /** @internal the head named a transfer coding the transport refuses (see storeHeader) */ declare _fRefused: boolean;
  /** @internal fields given to addTrailers(), sent after the last chunk (see trailersOut) */ declare _fTrailers: [string, string][] | null;
  /** @internal */ declare _fWaiting: number;
  /** @internal */ declare _fAbort: Error | null;
  /** @internal */ declare _fServer: EventEmitter | null;
  // the writing methods, own (see above)
  declare _storeHeader: typeof storeHeader;
  declare write: typeof write;
  declare end: typeof end;
  declare flushHeaders: typeof flushHeaders;
  declare writeContinue: typeof writeContinue;
  declare addTrailers: typeof addTrailers;
  declare destroy: typeof destroy;
  declare setTimeout: typeof setTimeout_;
  declare cork: typeof noop;
  declare uncork: typeof noop;

  constructor(req: IncomingMessage, socket: ResponseSocket, server: EventEmitter | null) {
    super();
    this.outputData = [];
    this.outputSize = 0;
    this.writable = true;
    this.destroyed = false;
    this._last = false;
    this.chunkedEncoding = false;
    this.shouldKeepAlive = true;
    this.maxRequestsOnConnectionReached = false;
    this._defaultKeepAlive = true;
    this.useChunkedEncodingByDefault = true;
    this.sendDate = true;
    this._removedConnection = false;
    this._removedContLen = false;
    this._removedTE = false;
    this.strictContentLength = false;
    this._contentLength = null;
    this._hasBody = true;
    this._trailer = '';
    this.finished = false;
    this._headerSent = false;
    this._closed = false;
    this.socket = socket;
    this._header = null;
    this._keepAliveTimeout = 0;
    this._onPendingData = noop;
    this.req = req;
    this._sent100 = false;
    this._expect_continue = false;
    this.statusCode = 200;
    this.statusMessage = undefined;
    this[kOutHeaders] = null;
    this[kCorked] = 0;
    this._fStatus = 200;
    this._fLines = null;
    this._fStarted = false;
    this._fChunked = false;
    this._fRefused = false;
    this._fTrailers = null;
    this._fWaiting = 0;
    this._fAbort = null;
    this._fServer = server;
    this._storeHeader = storeHeader;
    this.write = write;
    this.end = end;
    this.flushHeaders = flushHeaders;
    this.writeContinue = writeContinue;
    this.addTrailers = addTrailers;
    this.destroy = destroy;
    this.setTimeout = setTimeout_;
    this.cork = noop;
    this.uncork = noop;
    if (req.method === 'HEAD') this._hasBody = false;
  }
}

/**
 * The client left before the end: 'close' as node:http emits it. A function, not a method:
 * after Express's prototype swap only own properties and ServerResponse.prototype remain.
 */
export function responseGone(res: NodeResponse): void {
  if (res._closed) return;
  res.destroyed = true;
  res._closed = true;
  res.writable = false;
  res.emit('close');
}
Object.setPrototypeOf(NodeResponse.prototype, ServerResponse.prototype);

function noop(): void {}

/**
 * Called by node:http's writeHead with the status line and the fields in one of its three
 * shapes. The fields are checked by the transport's grammar and encoded here, once: end()
 * hands the text to respond() (one whole-response write), a streamed response sends it as
 * http.response.start. A transfer coding other than chunked, which the transport refuses
 * (response-head.ts), is kept out of the head and the response becomes the transport's 500
 * (node:http would send it close-delimited): throwing here instead would throw again from
 * the framework's own error handler, which keeps the app's fields.
 */
function storeHeader(this: NodeResponse, firstLine: string, headers: unknown): void {
  const lines: HeaderLines = { text: '', framed: false, length: -1, hasConnection: false, close: false };
  let chunked = false;
  if (headers === this[kOutHeaders] && headers != null) {
    // setHeader() validated these with node:http's checks
    const rec = headers as HeaderRecord;
    for (const key in rec) {
      const entry = rec[key];
      chunked = addField(lines, entry[0], entry[1], false) || chunked;
    }
  } else if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as [string, unknown][]) chunked = addField(lines, pair[0], pair[1], true) || chunked;
    } else {
      if (headers.length % 2 !== 0) throw Object.assign(new TypeError(`The argument 'headers' is invalid. Received ${String(headers)}`), { code: 'ERR_INVALID_ARG_VALUE' });
      for (let i = 0; i < headers.length; i += 2) chunked = addField(lines, String(headers[i]), headers[i + 1], true) || chunked;
    }
  } else if (headers != null) {
    const rec = headers as Record<string, unknown>;
    for (const key of Object.keys(rec)) chunked = addField(lines, key, rec[key], true) || chunked;
  }
  this._fLines = lines;
  this._fRefused = refusedCoding;
  refusedCoding = false;
  // node:http chunks a body whose head was stored before end() and names no length, or
  // whose app removed content-length (Koa does for 204/205/304) or announced trailers
  // (a Trailer field), and whatever its length when the app set transfer-encoding: chunked
  this._fChunked = ((this._contentLength === null || this._removedContLen || namedTrailer) && !lines.framed) || chunked;
  namedTrailer = false;
  this._fStatus = this.statusCode;
  this._header = firstLine; // what headersSent reads (node:http keeps the whole head here)
}

/** storeHeader's: the head named a transfer coding the transport refuses. */
let refusedCoding = false;
/** storeHeader's: the head has a Trailer field. */
let namedTrailer = false;

/** Appends one field (node:http writes an array value as one line per item); true for the app's transfer-encoding: chunked. */
function addField(lines: HeaderLines, name: string, value: unknown, check: boolean): boolean {
  if (check) {
    validateHeaderName(name);
    validateHeaderValue(name, value as string);
  }
  if (name.length === 7 && name.toLowerCase() === 'trailer') namedTrailer = true;
  const te = name.length === 17 && name.toLowerCase() === 'transfer-encoding';
  if (te && !CHUNKED_LAST.test(String(value))) {
    refusedCoding = true;
    return false;
  }
  if (Array.isArray(value)) for (const v of value) addHeaderLine(lines, name, String(v));
  else addHeaderLine(lines, name, typeof value === 'string' ? value : String(value));
  // addHeaderLine accepts no transfer-encoding but chunked (and leaves it to the transport's framing)
  return te;
}

const CHUNKED_LAST = /^\s*chunked\s*$/i;

function ensureHead(res: NodeResponse): void {
  if (res._header === null) (res as unknown as ServerResponse & { _implicitHeader(): void })._implicitHeader();
}

type Chunk = string | Uint8Array;

function toBody(chunk: Chunk, encoding: BufferEncoding | null | undefined): Chunk {
  if (typeof chunk === 'string') {
    // null is node:http's default too (Fastify ends with res.end(payload, null, null))
    if (encoding == null || encoding === 'utf8' || encoding === 'utf-8') return chunk;
    return Buffer.from(chunk, encoding);
  }
  if (chunk instanceof Uint8Array) return chunk;
  throw Object.assign(new TypeError(`The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received ${typeof chunk}`), {
    code: 'ERR_INVALID_ARG_TYPE',
  });
}

function startMessage(res: NodeResponse): ResponseStartMessage {
  res._fStarted = true;
  res._headerSent = true;
  if (res._fRefused) res.socket!.destroy(new TypeError('Response header "transfer-encoding": only chunked'));
  const headers = res._fLines === null ? [] : headPairs(res._fLines.text);
  // node:http sends trailers with any chunked body: promised on every one, which then ends
  // with an http.response.trailers (the transport drops them when it cannot chunk: HTTP/1.0,
  // HEAD, 204, 304)
  return res._fChunked
    ? { type: 'http.response.start', status: res._fStatus, headers, reason: res.statusMessage, trailers: true }
    : { type: 'http.response.start', status: res._fStatus, headers, reason: res.statusMessage };
}

/** One send; a send that has to wait (the connection's output is full) makes write() return false until it settles. */
function deliver(res: NodeResponse, msg: ResponseBodyMessage, cb: WriteCallback | null): boolean {
  const socket = res.socket!;
  if (!res._fStarted) {
    const start = startMessage(res);
    if (socket.destroyed) return false;
    void socket.send(start).catch(noop);
  }
  const p = socket.send(msg);
  if (p === RESOLVED) {
    if (cb !== null) process.nextTick(cb);
    return true;
  }
  res._fWaiting++;
  p.then(
    () => {
      if (cb !== null) cb();
      if (--res._fWaiting === 0 && !res.finished) res.emit('drain');
    },
    (err: Error) => {
      res._fWaiting--;
      if (cb !== null) cb(err);
      socket.destroy(err);
    },
  );
  return false;
}

function write(this: NodeResponse, chunk: Chunk, encoding?: BufferEncoding | WriteCallback, cb?: WriteCallback): boolean {
  if (typeof encoding === 'function') {
    cb = encoding;
    encoding = undefined;
  }
  if (chunk === null) throw Object.assign(new TypeError('May not write null values to stream'), { code: 'ERR_STREAM_NULL_VALUES' });
  if (this.finished) {
    const err = Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
    if (typeof cb === 'function') process.nextTick(cb, err);
    process.nextTick(emitError, this, err);
    return false;
  }
  const body = toBody(chunk, encoding);
  ensureHead(this);
  if (body.length === 0) {
    if (typeof cb === 'function') process.nextTick(cb);
    return true;
  }
  return deliver(this, { type: 'http.response.body', body, moreBody: true }, typeof cb === 'function' ? cb : null);
}

function end(this: NodeResponse, chunk?: Chunk | WriteCallback | null, encoding?: BufferEncoding | WriteCallback, cb?: WriteCallback): NodeResponse {
  if (typeof chunk === 'function') {
    cb = chunk;
    chunk = null;
  } else if (typeof encoding === 'function') {
    cb = encoding;
    encoding = undefined;
  }
  if (this.finished) {
    if (chunk != null && (chunk as Chunk).length > 0) {
      const err = Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
      if (typeof cb === 'function') process.nextTick(cb, err);
      process.nextTick(emitError, this, err);
    } else if (typeof cb === 'function') {
      if (this._closed || this.listenerCount('finish') === 0) process.nextTick(cb);
      else this.once('finish', cb);
    }
    return this;
  }
  const body = chunk == null ? '' : toBody(chunk, encoding as BufferEncoding | undefined);
  if (this._header === null) this._contentLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  ensureHead(this);
  if (typeof cb === 'function') this.once('finish', cb);
  this.finished = true;
  this.writable = false;
  const socket = this.socket!;
  if (!socket.destroyed) {
    // a head stored before end(): chunked as node:http frames it (a first message with more to come)
    if (!this._fStarted && !this._fChunked) whole(this, socket, body);
    else {
      if (body.length > 0 || !this._fStarted) deliver(this, { type: 'http.response.body', body, moreBody: true }, null);
      deliver(this, LAST, null);
      if (this._fChunked) trailersOut(this, socket); // its start message promised trailers
    }
  }
  process.nextTick(finish, this);
  socket.done();
  return this;
}

/** The response ended in one go: one respond() (one write of head and body, the body not copied first). */
function whole(res: NodeResponse, socket: ResponseSocket, body: Chunk): void {
  res._fStarted = true;
  res._headerSent = true;
  const l = res._fLines!;
  if (res._fRefused) {
    respond(socket.send, 500, null, null);
    return;
  }
  const head = WHOLE_HEAD;
  head.bytes = headBytes(l.text);
  head.framed = l.framed;
  head.length = l.length;
  head.close = l.close;
  try {
    const p = respond(socket.send, res._fStatus, head, body, res.statusMessage);
    if (p !== undefined) p.catch((err: Error) => socket.destroy(err));
  } catch (err) {
    // the body disagrees with the app's content-length: the connection is cut, as the message path does
    socket.destroy(err as Error);
  }
}

/**
 * whole()'s head, encoded into one reused buffer and passed in one reused object: respond()
 * copies the head out before it returns (into the output slab, or into its start message
 * behind a wrapped send), so nothing of it is kept. Was a Buffer.from() per response, about
 * 5% of a bare listener's time in process.
 */
const WHOLE_HEAD: { -readonly [K in keyof EncodedHeaders]: EncodedHeaders[K] } = { bytes: Buffer.alloc(0), framed: false, length: -1, close: false };
const HEAD_SCRATCH = Buffer.allocUnsafe(8192);
/** Views of HEAD_SCRATCH by length, each made once. */
const HEAD_VIEWS: (Buffer | undefined)[] = new Array(HEAD_SCRATCH.length + 1);

function headBytes(text: string): Buffer {
  const n = text.length;
  if (n > HEAD_SCRATCH.length) return Buffer.from(text, 'latin1');
  HEAD_SCRATCH.latin1Write(text, 0);
  return (HEAD_VIEWS[n] ??= HEAD_SCRATCH.subarray(0, n));
}

/** 'finish' once the transport has the whole response (node:http: once the socket took it), then 'close'. */
function finish(res: NodeResponse): void {
  res.emit('prefinish');
  if (responseFinish.hasSubscribers) responseFinish.publish({ request: res.req, response: res, socket: res.socket, server: res._fServer });
  res.emit('finish');
  // node:http's resOnFinish: a body nobody read is dumped, so req ends and closes
  const req = res.req as IncomingMessage & { _consuming: boolean; _dump(): void; _readableState: { resumeScheduled: boolean } };
  if (!req._consuming && !req._readableState.resumeScheduled) req._dump();
  process.nextTick(closeResponse, res);
}

function closeResponse(res: NodeResponse): void {
  if (res._closed) return;
  res.destroyed = true;
  res._closed = true;
  res.emit('close');
}

function emitError(res: NodeResponse, err: Error): void {
  res.emit('error', err);
}

function flushHeaders(this: NodeResponse): void {
  ensureHead(this);
  if (!this._fStarted && !this.finished) deliver(this, { type: 'http.response.body', body: EMPTY, moreBody: true }, null);
}

const EMPTY = new Uint8Array(0);
const LAST: ResponseBodyMessage = Object.freeze({ type: 'http.response.body', body: EMPTY, moreBody: false });

/** The transport sends 100 Continue when the body is first read: read one message ahead. */
function writeContinue(this: NodeResponse, cb?: () => void): void {
  this._sent100 = true;
  this.socket!.readAhead();
  if (typeof cb === 'function') process.nextTick(cb);
}

/**
 * Trailer fields, validated as node:http does, sent after the last chunk of a chunked body
 * and dropped otherwise, as node:http does. Fields that frame the message or name connection
 * options are refused here (RFC 9110 §6.5.1; node:http would send them).
 */
function addTrailers(this: NodeResponse, headers: Record<string, string> | [string, string][]): void {
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of pairs) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    if (notInTrailers(name)) {
      throw Object.assign(new TypeError(`Trailer field "${name}" may not be sent after the body (RFC 9110 §6.5.1)`), { code: 'ERR_INVALID_ARG_VALUE' });
    }
  }
  const list = (this._fTrailers ??= []);
  for (const [name, value] of pairs) list.push([name, String(value)]);
}

/** The trailer section the start message promised (empty when addTrailers() was not called). */
function trailersOut(res: NodeResponse, socket: ResponseSocket): void {
  const p = socket.send({ type: 'http.response.trailers', headers: res._fTrailers ?? [] });
  if (p !== RESOLVED) p.catch((err: Error) => socket.destroy(err));
}

function destroy(this: NodeResponse, err?: Error): NodeResponse {
  if (this.destroyed) return this;
  this.destroyed = true;
  this.socket!.destroy(err);
  process.nextTick(closeResponse, this);
  return this;
}

function setTimeout_(this: NodeResponse, ms: number, cb?: () => void): NodeResponse {
  this.socket!.setTimeout(ms, cb);
  return this;
}
