// The end of a connection as req.socket shows it, on node:http and on fasterapi/node side by
// side (two cases from Koa's own suite): a client that leaves while a streamed response to a
// bodyless request is open (res/req/socket 'close', pipeline() destroys the source, the
// server-side connection is closed: server.close() returns without closeAllConnections), and
// an app's socket.destroy(err) ('error', then 'close').
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, pipeline } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from '../../src/node/index.js';

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const logged: string[] = [];
const quiet = { info() {}, warn() {}, error: (m: string) => logged.push(m), debug() {} };
const SERVERS: [string, (l: Listener) => http.Server | ReturnType<typeof createServer>][] = [
  ['node:http', (l) => http.createServer(l)],
  ['fasterapi/node', (l) => createServer({ logger: quiet }, l)],
];

const Gone = suite('client leaves a streamed response');

Gone('GET, one chunk streamed through pipeline(), client destroys: close events, source destroyed, connection closed', async () => {
  for (const [name, make] of SERVERS) {
    const events: string[] = [];
    let sourceDestroyed!: () => void;
    const destroyed = new Promise<void>((r) => {
      sourceDestroyed = r;
    });
    const server = make((req, res) => {
      const source = new PassThrough();
      source.on('close', () => {
        events.push('source close');
        sourceDestroyed();
      });
      req.on('close', () => events.push('req close'));
      req.socket.on('close', () => events.push('socket close'));
      res.on('close', () => events.push(`res close writableEnded=${res.writableEnded}`));
      res.setHeader('content-type', 'text/plain');
      pipeline(source, res, () => {});
      setImmediate(() => source.write('some data'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve, reject) => {
      const creq = http.request({ port, host: '127.0.0.1', path: '/', agent: false });
      creq.on('response', (r) =>
        r.once('data', () => {
          creq.destroy();
          resolve();
        }),
      );
      creq.on('error', reject);
      creq.end();
    });
    const timeout = (ms: number) => new Promise((r) => setTimeout(r, ms, 'timeout'));
    // no closeAllConnections() first: the server-side connection must have been closed already
    const closed = destroyed.then(() => new Promise<string>((r) => server.close(() => r('closed'))));
    try {
      assert.is(await Promise.race([closed, timeout(3000)]), 'closed', `${name}: source destroyed and server.close() returned (${events})`);
    } finally {
      server.closeAllConnections();
    }
    for (const e of ['res close writableEnded=false', 'req close', 'socket close', 'source close']) assert.ok(events.includes(e), `${name}: ${e} in ${events}`);
  }
});

Gone('req.socket.destroy(err): the socket emits error then close(hadError), as net.Socket (Koa reports it through on-finished)', async () => {
  for (const [name, make] of SERVERS) {
    const events: string[] = [];
    let seen!: () => void;
    const closed = new Promise<void>((r) => {
      seen = r;
    });
    const server = make((req) => {
      req.socket.on('error', (err) => events.push(`error ${err.message}`));
      req.socket.on('close', (hadError) => {
        events.push(`close ${hadError}`);
        seen();
      });
      req.socket.destroy(new Error('boom'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const creq = http.get({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', agent: false });
      creq.on('error', () => {});
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      assert.equal(events, ['error boom', 'close true'], name);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
});

Gone.run();
