// fasterapi/node (issue 16) in process: GET /json through the transport's in-process
// Pipeline (bench/micro/pipeline.ts, no sockets) into Express, Koa, Fastify or a bare listener (raw), for
// callgrind (instructions per request, as bench/micro/icount.sh), a time and CPU time per request, or
// the V8 heap bytes allocated per request (alloc: run with --expose-gc --max-semi-space-size=64 so
// that no scavenge runs inside the measured batch; a batch that saw one is reported as such).
//   node dist/bench/micro/node-icount.js <express|koa|fastify|raw> <reads> [curl|pipelined] [time|alloc]
// Under valgrind --tool=callgrind: the difference of two N over the requests between them.
import Fastify from 'fastify';
import { createNodeApp, type RequestListener } from '../../src/node/index.js';
import { expressApp, koaApp } from '../http/servers/node-apps.js';
import { Pipeline } from './pipeline.js';

const [framework = 'express', readsArg = '1000', shape = 'curl', mode = ''] = process.argv.slice(2);
const ONE = 'GET /json HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n';
const bytes = Buffer.from(shape === 'pipelined' ? ONE.repeat(16) : ONE, 'latin1');
const per = shape === 'pipelined' ? 16 : 1;

async function listener(): Promise<RequestListener> {
  // the layer alone: the smallest listener that answers the same JSON
  if (framework === 'raw')
    return (_req, res) => {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ message: 'Hello, World!' }));
    };
  if (framework === 'express') return expressApp();
  if (framework === 'koa') return koaApp();
  if (framework !== 'fastify') throw new Error(`unknown framework ${framework}`);
  let handler: RequestListener | null = null;
  const app = Fastify({
    logger: false,
    trustProxy: true,
    serverFactory: (h) => {
      handler = h as RequestListener;
      return { on() {}, once() {}, address: () => null } as never;
    },
  });
  app.get('/json', () => ({ message: 'Hello, World!' }));
  await app.ready();
  return handler!;
}

const pipe = new Pipeline(createNodeApp(await listener()), null);
const check = await pipe.answerAsync(Buffer.from(ONE, 'latin1'));
if (!check.startsWith('HTTP/1.1 200') || !check.includes('{"message":"Hello, World!"}')) throw new Error(`unexpected answer:\n${check}`);
const reads = Number(readsArg);
if (mode === 'alloc') {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('alloc: run node with --expose-gc --max-semi-space-size=64');
  for (let i = 0; i < reads; i++) {
    pipe.read(bytes);
    await pipe.drain();
  }
  gc();
  // a fall of heapUsed between reads is a GC inside the batch
  let scavenges = 0;
  const m0 = process.memoryUsage().heapUsed;
  let last = m0;
  for (let i = 0; i < reads; i++) {
    pipe.read(bytes);
    await pipe.drain();
    const m = process.memoryUsage().heapUsed;
    if (m < last) scavenges++;
    last = m;
  }
  const m1 = last;
  const note = scavenges > 0 ? ` (${scavenges} GC in the batch: not valid, use fewer reads)` : '';
  console.log(`${framework} ${shape}: ${((m1 - m0) / (reads * per)).toFixed(0)} heap bytes per request${note}`);
  process.exit(0);
}
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
for (let i = 0; i < reads; i++) {
  pipe.read(bytes);
  await pipe.drain();
}
if (mode === 'time') {
  const c = process.cpuUsage(c0);
  const n = reads * per;
  console.log(`${framework} ${shape}: ${(Number(process.hrtime.bigint() - t0) / n).toFixed(0)} ns per request, ${((1000 * (c.user + c.system)) / n).toFixed(0)} ns CPU`);
}
