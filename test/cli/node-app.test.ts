// A node:http-style app served by the CLI: a client's FIN aborts the request in flight and
// the connection closes with no answer, as on node:http (httpAllowHalfOpen false). The CLI
// serves such apps with the node:http layer's own transport options (NODE_TRANSPORT_OPTIONS,
// as its createServer() does); the layer's disconnect watch gives the same answer without
// them. The same (req, res) function on node:http and through the real CLI, raw sockets.
import { rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTempDir } from '../proxies/harness.js';
import { startCli } from './spawn.js';

const LATE_MS = 300;
/** Answers after LATE_MS, or says on stderr that its request was aborted. */
const SOURCE = `export default (req, res) => {
  req.on('close', () => { if (!res.writableEnded) process.stderr.write('request closed unanswered\\n'); });
  setTimeout(() => res.end('late'), ${LATE_MS});
};
`;

/** Sends one request, then FIN at once; everything the server sends before it closes. */
function requestThenFin(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connection still open after 5 s; got ${JSON.stringify(got)}`));
    }, 5000);
    sock.on('connect', () => sock.end('GET / HTTP/1.1\r\nHost: test\r\n\r\n'));
    sock.on('data', (d) => {
      got += d.toString('latin1');
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    sock.on('error', reject);
  });
}

test('CLI, (req, res) app: a FIN aborts the request in flight, as node:http does', async () => {
  const dir = await makeTempDir('cli-node-app');
  const file = join(dir, 'app.mjs');
  writeFileSync(file, SOURCE);
  const { default: listener } = (await import(file)) as { default: http.RequestListener };
  const node = http.createServer(listener);
  await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
  const { cli, port } = await startCli([file, '--port', '0']);
  try {
    const fromNode = await requestThenFin((node.address() as AddressInfo).port);
    const fromCli = await requestThenFin(port);
    assert.is(fromNode, '', 'node:http answers nothing after the FIN');
    assert.is(fromCli, fromNode);
    await cli.waitFor(/request closed unanswered/, 2000);
  } finally {
    cli.kill();
    node.closeAllConnections();
    await new Promise((r) => node.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
