// Child process for memory measurements (slow.test.ts, backpressure.test.ts): the server
// alone in its own heap, so the clients' sockets do not count. Talks over IPC:
//   parent → { cmd: 'measure' } → { heapUsed, rss, external, arrayBuffers, connections, pooled }
//   parent → { cmd: 'exit' }
// argv[2]: JSON CreateServerOptions; argv[3]: 'small' (200, 2 bytes) or 'big' (a fresh
// 1 MiB body per response, as a dynamic page would be: queued responses cost memory).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createServer, encodeHeaders } from '../../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const kind = process.argv[3] ?? 'small';
const HEAD = encodeHeaders({ 'content-type': 'application/octet-stream' });
let appCalls = 0;

const server = createServer(
  (_scope, _receive, send) => {
    appCalls++;
    send(200, HEAD, kind === 'big' ? Buffer.alloc(1024 * 1024, 0x61) : 'ok');
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
    });
  } else if (m.cmd === 'exit') {
    void server.close();
    setTimeout(() => process.exit(0), 200).unref();
    process.disconnect();
  }
});
