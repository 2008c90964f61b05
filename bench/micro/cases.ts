// Every micro-benchmark case, shared by the timing run (run.ts, tinybench) and the
// allocation child (alloc-child.ts), so both measure exactly the same code.
import { Buffer } from 'node:buffer';
import type { Trust } from '../../src/trust/index.js';
import {
  Encoder,
  HELLO,
  Pipeline,
  SendStub,
  clearLazy,
  defaultTrust,
  fasterApp,
  helloApp,
  newTrust,
  parsedScope,
  realisticApp,
  realisticTrust,
  receiveStub,
  resetForTrust,
  staticApp,
} from './pipeline.js';
import type { HelloVariant } from '../http/servers/hello-app.js';
import { REALISTIC, SHAPES, XFF_3_HOP, type Shape } from './shapes.js';
import { FloorChain, RealisticFloor } from './floor.js';

const HELLO_OK = { status: '200 OK', body: HELLO };
/** What the realistic app answers (as the HTTP suite's answer check expects). */
const REALISTIC_OK = {
  status: '200 OK',
  body: REALISTIC.body,
  header: 'x-request-id',
};

export interface MicroCase {
  /** Row name in the report. Rows on the 0-bytes target's static path say "static". */
  readonly name: string;
  /** Requests (or stage calls) one op() handles: figures are reported per request. */
  readonly perOp: number;
  /** An async app's op returns a promise, settled once its responses are out (tinybench awaits it). */
  op(): void | Promise<void>;
  /** Checks the answer before anything is timed; throws when it is wrong. */
  verify(): void | Promise<void>;
}

/** Reads per op for single-request shapes: about as many requests per sample as the 16-deep batch. */
const READS = 16;
/** Stage calls per op for the stages measured alone (each is well under a microsecond). */
const CALLS = 64;

function expectResponses(text: string, count: number, status: string, body: string, what: string): void {
  const heads = text.split('HTTP/1.1 ').length - 1;
  const ok = text.split(`HTTP/1.1 ${status}\r\n`).length - 1;
  const bodies = text.split(`\r\n\r\n${body}`).length - 1;
  if (heads !== count || ok !== count || bodies !== count) {
    throw new Error(`${what}: expected ${count} × "${status}" with body ${JSON.stringify(body)}, got:\n${text.slice(0, 400)}`);
  }
  if (/connection: close/i.test(text)) throw new Error(`${what}: the connection closes:\n${text.slice(0, 400)}`);
}

function transportCase(name: string, shape: Shape, pipeline: Pipeline, expectBody: string): MicroCase {
  const bytes = shape.bytes;
  const reads = shape.requests === 1 ? READS : 1;
  return {
    name,
    perOp: reads * shape.requests,
    op() {
      for (let i = 0; i < reads; i++) pipeline.read(bytes);
    },
    verify() {
      expectResponses(pipeline.answer(bytes), shape.requests, '200 OK', expectBody, name);
    },
  };
}

/**
 * A shape through an app that may answer after an await: `reads` reads, then the
 * pipeline drained (a few nextTicks per op, the same in every case of this kind, so
 * their differences are the apps' own).
 */
function asyncCase(name: string, shape: Shape, pipeline: Pipeline, expect: { status: string; body: string; header?: string }): MicroCase {
  const bytes = shape.bytes;
  const reads = shape.requests === 1 ? READS : 1;
  return {
    name,
    perOp: reads * shape.requests,
    async op() {
      for (let i = 0; i < reads; i++) pipeline.read(bytes);
      await pipeline.drain();
    },
    async verify() {
      const text = await pipeline.answerAsync(bytes);
      expectResponses(text, shape.requests, expect.status, expect.body, name);
      if (expect.header !== undefined && text.split(`\r\n${expect.header}: `).length - 1 !== shape.requests) {
        throw new Error(`${name}: expected a ${expect.header} header on every response, got:\n${text.slice(0, 400)}`);
      }
    },
  };
}

function trustCase(name: string, head: Buffer, trust: Trust, expectClient: string): MicroCase {
  const scope = parsedScope(head, null);
  return {
    name,
    perOp: CALLS,
    op() {
      for (let i = 0; i < CALLS; i++) {
        resetForTrust(scope);
        trust.resolve(scope);
      }
    },
    verify() {
      resetForTrust(scope);
      trust.resolve(scope);
      if (scope.client?.[0] !== expectClient) throw new Error(`${name}: client ${JSON.stringify(scope.client)}, expected ${expectClient}`);
    },
  };
}

/** The pure-JS floor (floor.ts): 16 requests per op through `layers` async pass-throughs, no transport. */
function floorCase(name: string, layers: number | 'realistic'): MicroCase {
  const chain = layers === 'realistic' ? new RealisticFloor() : new FloorChain(layers);
  const calls = SHAPES.pipelined.requests;
  return {
    name,
    perOp: calls,
    op: () => chain.run(calls),
    async verify() {
      chain.answered = chain.settled = 0;
      await chain.run(calls);
      for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
      const settled = layers === 0 ? calls : chain.settled;
      if (chain.answered !== calls || settled !== calls) throw new Error(`${name}: ${chain.answered} answered, ${settled} settled of ${calls}`);
    },
  };
}

function chainCase(name: string, middlewares: boolean): MicroCase {
  const trust = newTrust();
  const scope = parsedScope(SHAPES.curl.bytes, trust);
  const app = fasterApp(middlewares);
  const stub = new SendStub();
  const send = stub.send;
  return {
    name,
    perOp: CALLS,
    op() {
      for (let i = 0; i < CALLS; i++) {
        clearLazy(scope);
        void app(scope, receiveStub, send);
      }
    },
    verify() {
      stub.calls = 0;
      clearLazy(scope);
      void app(scope, receiveStub, send);
      if (stub.calls !== 1 || stub.status !== 200) throw new Error(`${name}: send called ${stub.calls}× with status ${stub.status}`);
    },
  };
}

function encodeCase(name: string, kind: 'fast' | 'asgi'): MicroCase {
  const enc = new Encoder();
  return {
    name,
    perOp: CALLS,
    op:
      kind === 'fast'
        ? () => {
            for (let i = 0; i < CALLS; i++) enc.fast();
          }
        : () => {
            for (let i = 0; i < CALLS; i++) enc.asgi();
          },
    verify() {
      expectResponses(enc.answer(kind), 1, '200 OK', HELLO, name);
    },
  };
}

/**
 * The cases, in report order. Groups:
 * - transport: ServerCore + Connection + trust stage (loopback and 10/8 trusted) and an
 *   app answering the static response with respond(send, 200, HEAD, body), as the HTTP suite's
 *   bare fasterapi server does. The rows named "static" are the path the issue's
 *   "0 bytes per request" target is about (bench/report.ts picks rows by /static/): GETs
 *   with no forwarding headers. The proxied row allocates what the trust stage resolves
 *   (client, host) and the POST row is not a static route, so neither says "static";
 * - app: the same transport and trust stage under Faster with 3 middlewares and routes;
 * - trust, chain, encode: one stage alone.
 */
export function buildCases(): MicroCase[] {
  const t = (): Pipeline => new Pipeline(staticApp, newTrust());
  const a = (): Pipeline => new Pipeline(fasterApp(true), newTrust());
  const h = (variant: HelloVariant): Pipeline => new Pipeline(helloApp(variant), defaultTrust());
  const cases: MicroCase[] = [
    transportCase(`transport static: ${SHAPES.curl.label}`, SHAPES.curl, t(), HELLO),
    transportCase(`transport static: ${SHAPES.browser.label}`, SHAPES.browser, t(), HELLO),
    transportCase(`transport static: ${SHAPES.pipelined.label}`, SHAPES.pipelined, t(), HELLO),
    transportCase(`transport: ${SHAPES.proxied.label} (trusted)`, SHAPES.proxied, t(), HELLO),
    transportCase(`transport: ${SHAPES.post.label} (body not read)`, SHAPES.post, t(), HELLO),
    transportCase(`app: ${SHAPES.curl.label}`, SHAPES.curl, a(), HELLO),
    transportCase(`app: ${SHAPES.browser.label}`, SHAPES.browser, a(), HELLO),
    transportCase(`app: ${SHAPES.pipelined.label}`, SHAPES.pipelined, a(), HELLO),
    transportCase(`app: ${SHAPES.proxied.label} (trusted)`, SHAPES.proxied, a(), HELLO),
    transportCase(`app: ${SHAPES.post.label} (body not read)`, SHAPES.post, a(), 'created'),
    trustCase('trust: Trust.resolve, no forwarding headers', SHAPES.curl.bytes, newTrust(), '127.0.0.1'),
    trustCase('trust: Trust.resolve, trusted 3-hop X-Forwarded-For', Buffer.from(XFF_3_HOP, 'latin1'), newTrust(), '198.51.100.23'),
    // What each middleware costs: the same 16-deep batch through the hello app, bare and
    // with one middleware (differences of these rows; bench/micro/icount.ts for exact ones).
    asyncCase(`mw: hello app, no middleware, ${SHAPES.pipelined.label}`, SHAPES.pipelined, h('bare'), HELLO_OK),
    asyncCase(`mw: hello app + 1 async pass-through, ${SHAPES.pipelined.label}`, SHAPES.pipelined, h('async'), HELLO_OK),
    // The second async layer's cost alone (row above subtracted): the transport subscribes to the app's promise once, whatever the depth.
    asyncCase(`mw: hello app + 2 async pass-through, ${SHAPES.pipelined.label}`, SHAPES.pipelined, h('async2'), HELLO_OK),
    asyncCase(`mw: hello app + 1 sync pass-through, ${SHAPES.pipelined.label}`, SHAPES.pipelined, h('sync'), HELLO_OK),
    // One async pass-through taken apart: the transport's pending-app path alone, and V8's async function alone.
    asyncCase(`mw: hello app + 1 middleware returning a settled promise, ${SHAPES.pipelined.label}`, SHAPES.pipelined, h('settled'), HELLO_OK),
    asyncCase(`mw: hello app + 1 middleware starting an async no-op it drops, ${SHAPES.pipelined.label}`, SHAPES.pipelined, h('detached'), HELLO_OK),
    asyncCase(`mw: hello app + TrustedHostMiddleware, ${SHAPES.pipelined.label}`, SHAPES.pipelined, h('host'), HELLO_OK),
    asyncCase(`mw: hello app + TrustedHost + 1 async pass-through, ${SHAPES.pipelined.label}`, SHAPES.pipelined, h('host+async'), HELLO_OK),
    // V8's own price of an async layer, in plain JS with no transport (floor.ts): the floor under the rows above.
    floorCase('mw floor: pure JS, sync route, no middleware, 16 calls, per call', 0),
    floorCase('mw floor: pure JS, + 1 async pass-through, 16 calls, per call', 1),
    floorCase('mw floor: pure JS, + 2 async pass-through, 16 calls, per call', 2),
    // The realistic app of the HTTP suite's headline, in-process; and its request on the bare transport.
    asyncCase(`app realistic: ${SHAPES.realisticPipelined.label}`, SHAPES.realisticPipelined, new Pipeline(realisticApp(), realisticTrust()), REALISTIC_OK),
    transportCase(`transport: ${SHAPES.realisticPipelined.label} (trusted)`, SHAPES.realisticPipelined, t(), HELLO),
    // What the realistic app's own code and ASGI's messages cost V8 with no transport (floor.ts): the least its app layer costs.
    floorCase('app realistic floor: pure JS, host compare + 2 async middlewares + send wrapper + 2 ASGI messages, 16 calls, per call', 'realistic'),
    chainCase('chain: TrustedHost + 2 BaseHTTPMiddleware + route GET /', true),
    chainCase('chain: route GET /, no middleware', false),
    encodeCase(`encode: send(200, HEAD, '${HELLO}')`, 'fast'),
    encodeCase('encode: ASGI http.response.start + http.response.body', 'asgi'),
  ];
  return cases;
}
