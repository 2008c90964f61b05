// The per-request objects of fasterapi/node (issue 16) next to node:http's, constructed in a
// loop (median of 7 runs of 200k):   node dist/bench/micro/node-objects.js
// a real ServerResponse (node:http's constructor) vs NodeResponse (no ServerResponse
// constructor, ten own writing methods so that they survive Express's prototype swap), and
// IncomingMessage, which req is on both; and the per-request NodeSocket (node:http has one
// net.Socket per connection: this row is what one socket object per connection would save).
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { NodeResponse, type ResponseSocket } from '../../src/node/response.js';
import { NodeSocket } from '../../src/node/socket.js';
import { Scope } from '../../src/scope/scope.js';
import type { Receive, Send } from '../../src/types.js';

const fakeReq = { method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as IncomingMessage;
const socket = {} as ResponseSocket;
const scope = new Scope();
scope.peer = ['127.0.0.1', 40000];
scope.localAddress = '127.0.0.1';
scope.localPort = 8000;
const receive = (() => Promise.resolve({ type: 'http.disconnect' })) as Receive;
const send = (() => Promise.resolve()) as Send;
const N = 200_000;
let sink: unknown;

function time(make: () => unknown): number {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink = make();
    runs.push(Number(process.hrtime.bigint() - t0) / N);
  }
  return runs.sort((a, b) => a - b)[3];
}

const cases: [string, () => unknown][] = [
  ['new ServerResponse(req) (node:http)', () => new ServerResponse(fakeReq)],
  ['new NodeResponse (own writing methods)', () => new NodeResponse(fakeReq, socket, null)],
  ['new IncomingMessage(socket) (req on both)', () => new IncomingMessage(socket as unknown as Socket)],
  ['new NodeSocket (one per request)', () => new NodeSocket(scope as never, receive, send, false)],
];
for (const [name, make] of cases) console.log(`${name.padEnd(45)} ${time(make).toFixed(0)} ns`);
if (sink === undefined) console.log('');
