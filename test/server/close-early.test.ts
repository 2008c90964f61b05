// close() called while listen() is still in progress (the same tick, or while the host
// resolves): as node:http's, nothing listens afterwards and close resolves once. Each case
// runs in a child process that must exit by itself, so no handle is left open.
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accepts } from '../helpers/raw.js';

const SERVER = new URL('../../src/index.js', import.meta.url).href;
const FETCH = new URL('../../src/fetch/index.js', import.meta.url).href;

/** A port free a moment ago (closed again before use). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Run {
  code: number | string;
  lines: string[];
  stderr: string;
}

/** Runs `body` as an ES module in a child; resolves when it exits, fails after 5 s. */
function runChild(body: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', body], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => void (err += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child still running after 5 s (an open handle?)\nstdout:\n${out}\nstderr:\n${err}`));
    }, 5000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, lines: out.split('\n').filter((l) => l !== ''), stderr: err });
    });
  });
}

/** The child prints whether the port accepts once close() resolved, then ends on its own. */
const probe = `
import * as net from 'node:net';
const accepts = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});`;

test('createServer: close() in the same tick as listen() resolves once, never listens; the process exits by itself', async () => {
  const port = await freePort();
  const run = await runChild(`${probe}
import { createServer } from '${SERVER}';
const server = createServer(async () => {});
server.on('listening', () => console.log('listening event'));
server.on('close', () => console.log('close event'));
const listening = server.listen(${port}, '127.0.0.1').then(() => console.log('listen resolved'));
let calls = 0;
server.close(() => { calls++; console.log('close callback'); }).then(async () => {
  await listening;
  console.log('accepts ' + (await accepts(${port})));
  console.log('net listening ' + server.net.listening);
  setTimeout(() => console.log('callbacks ' + calls), 50);
});`);
  assert.is(run.code, 0, run.stderr);
  assert.not.ok(run.lines.includes('listening event'), run.lines.join('\n'));
  for (const line of ['close event', 'close callback', 'listen resolved', 'accepts false', 'net listening false', 'callbacks 1']) {
    assert.ok(run.lines.includes(line), `${line} in:\n${run.lines.join('\n')}`);
  }
  assert.is(run.lines.filter((l) => l === 'close event').length, 1);
  assert.not.ok(await accepts(port), 'refused from here too');
});

test('createServer: close() while the host name resolves (bind in progress) closes what was bound', async () => {
  const port = await freePort();
  const run = await runChild(`${probe}
import { createServer } from '${SERVER}';
const server = createServer(async () => {});
const listening = server.listen(${port}, 'localhost');
setImmediate(() => {
  server.close().then(async () => {
    await listening;
    console.log('accepts ' + (await accepts(${port})));
    console.log('net listening ' + server.net.listening);
  });
});`);
  assert.is(run.code, 0, run.stderr);
  assert.equal(run.lines, ['accepts false', 'net listening false']);
  assert.not.ok(await accepts(port));
});

test('fetch serve(): server.close(cb) right after serve() calls cb once, not the listening callback; nothing listens', async () => {
  const port = await freePort();
  const run = await runChild(`${probe}
import { serve } from '${FETCH}';
const server = serve({ fetch: () => new Response('x'), port: ${port} }, () => console.log('listening callback'));
let calls = 0;
server.close(() => {
  calls++;
  setTimeout(async () => {
    console.log('accepts ' + (await accepts(${port})));
    console.log('callbacks ' + calls);
  }, 50);
});`);
  assert.is(run.code, 0, run.stderr);
  assert.equal(run.lines, ['accepts false', 'callbacks 1']);
  assert.not.ok(await accepts(port));
});

test('a listen() that completes and a later close() still work as before (control)', async () => {
  const port = await freePort();
  const run = await runChild(`${probe}
import { createServer } from '${SERVER}';
const server = createServer(async () => {});
server.on('listening', () => console.log('listening event'));
await server.listen(${port}, '127.0.0.1');
console.log('accepts ' + (await accepts(${port})));
await server.close();
console.log('accepts ' + (await accepts(${port})));`);
  assert.is(run.code, 0, run.stderr);
  assert.equal(run.lines, ['listening event', 'accepts true', 'accepts false']);
});

test.run();
