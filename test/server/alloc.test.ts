// Allocation of the transport's static path (the technique of test/app/alloc.test.ts):
// a keep-alive GET read, parsed, answered with respond() and written to a socket that
// takes it at once, in process. Its only allocation is the request's own send/receive
// pair (Exchange.bind(): a stale one must never reach the next request), 128 B on Node 20.
import type { Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders, type App } from '../../src/index.js';
import { SHARED_READ } from '../../src/server/connection.js';
import { ServerCore } from '../../src/server/core.js';
import { HttpConnection, copyShared } from '../../src/server/http-connection.js';
import { respond } from '../../src/server/respond.js';
import { bytesPerCall } from '../helpers/alloc.js';

/** What the transport uses of a net.Socket; every write is taken at once. */
class TakingSocket {
  writableLength = 0;
  destroyed = false;
  remoteAddress = '127.0.0.1';
  remotePort = 50123;
  localAddress = '127.0.0.1';
  localPort = 8000;
  written = 0;
  write(bytes: Uint8Array): boolean {
    this.written += bytes.length;
    return true;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
  setNoDelay(): this {
    return this;
  }
}

const HEAD = encodeHeaders({ 'content-type': 'text/plain' });

/** Two functions that find themselves by name, made as Exchange.bind() makes its pair per request. */
const owner = { a: null as unknown, b: null as unknown };
function pair(): void {
  owner.a = function a(): boolean {
    return owner.a === a;
  };
  owner.b = function b(): boolean {
    return owner.b === b;
  };
}

test('static path: a keep-alive GET allocates only its send/receive pair', async () => {
  const app: App = (_scope, _receive, send) => {
    respond(send, 200, HEAD, 'Hello, World!');
  };
  const socket = new TakingSocket();
  const conn = new HttpConnection(socket as unknown as Socket, new ServerCore(app, {}, null, false), false);
  const req = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n', 'latin1');
  const read = (): void => {
    copyShared(); // as the socket's read callback does before SHARED_READ is overwritten
    req.copy(SHARED_READ, 0);
    conn.read(SHARED_READ, req.length);
  };
  read();
  assert.ok(socket.written > 0 && !socket.destroyed, 'answered, connection kept');
  const baseline = await bytesPerCall(pair, { n: 500, runs: 40, settleMs: 30 });
  const perRequest = await bytesPerCall(read, { n: 500, runs: 40, settleMs: 30 });
  // + 8: measurement slack, under the 16 B of the smallest extra object.
  assert.ok(perRequest <= baseline + 8, `${perRequest} bytes per request, the send/receive pair is ${baseline}`);
});

test.run();
