// Child process for memory measurements (slow.test.ts, backpressure.test.ts): the server
// alone in its own heap, so the clients' sockets do not count. Talks over IPC:
//   parent → { cmd: 'measure' } → { heapUsed, rss, external, arrayBuffers, connections, pooled }
//   parent → { cmd: 'exit' }
// argv[2]: JSON CreateServerOptions; argv[3]: 'small' (200, 2 bytes) or 'big' (a fresh
// 1 MiB body per response, as a dynamic page would be: queued responses cost memory), or
// 'stream' / 'stream-unawaited' (streamBody(): STREAM_CHUNKS fresh 64 KiB chunks per
// request, each send() awaited / not awaited); argv[4]: STREAM_CHUNKS.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createServer, encodeHeaders, type Send } from '../../src/index.js';
import { STREAM_CHUNK } from './child.js';
import { respond } from '../../src/server/respond.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const kind = process.argv[3] ?? 'small';
const HEAD = encodeHeaders({ 'content-type': 'application/octet-stream' });
const STREAM_CHUNKS = Number(process.argv[4] ?? 0);
let appCalls = 0;
let settled = 0;

/** GET /<n>: chunk i is 64 KiB of the byte (n + i) & 0xff, so the client can check order. */
async function streamBody(path: string, send: Send, awaited: boolean): Promise<void> {
  const n = Number(path.slice(1));
  await send({ type: 'http.response.start', status: 200, headers: { 'content-type': 'application/octet-stream' } });
  const sent: Promise<void>[] = [];
  for (let i = 0; i < STREAM_CHUNKS; i++) {
    const p = send({ type: 'http.response.body', body: Buffer.alloc(STREAM_CHUNK, (n + i) & 0xff), moreBody: true });
    if (awaited) await p;
    else sent.push(p);
  }
  await send({ type: 'http.response.body', body: '' });
  await Promise.all(sent); // every promise send() returned settles
  settled++;
}

const server = createServer(
  (scope, _receive, send) => {
    appCalls++;
    if (kind === 'stream' || kind === 'stream-unawaited') return streamBody(scope.path, send, kind === 'stream');
    respond(send, 200, HEAD, kind === 'big' ? Buffer.alloc(1024 * 1024, 0x61) : 'ok');
  },
  { logger: { error: () => {}, warn: () => {}, info: () => {} }, ...options },
);

await server.listen(0, '127.0.0.1');
process.send!({ port: server.address().port });

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'measure') {
    gc();
    gc();
    const u = process.memoryUsage();
    process.send!({
      heapUsed: u.heapUsed,
      rss: u.rss,
      external: u.external,
      arrayBuffers: u.arrayBuffers,
      connections: server.connections,
      pooled: server.core.pooled,
      appCalls,
      settled,
    });
  } else if (m.cmd === 'exit') {
    void server.close();
    setTimeout(() => process.exit(0), 200).unref();
    process.disconnect();
  }
});
