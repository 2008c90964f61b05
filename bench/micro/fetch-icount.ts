// Instruction-count probe for the fetch-style frameworks as the CLI serves them: the app
// module of a bench contender (bench/http/servers/<framework>-app.ts) through the CLI's
// detection (cli/detect.ts adapt(), default options), N reads of 16 pipelined GETs of one
// route through the in-process Pipeline (no sockets). Run it for N and 5N under callgrind
// and divide the difference by the requests between them (bench/micro/fetch-icount.sh).
//   node dist/bench/micro/fetch-icount.js <checkout> <reads> <hono|h3|elysia|itty> <route> [check]
// With `check` it prints one response instead (what the reads answer).
const [dir = '.', readsArg = '1000', framework = 'h3', route = '/json', mode = ''] = process.argv.slice(2);
const root = `${dir.startsWith('/') ? '' : `${process.cwd()}/`}${dir}/dist`;
const p = (await import(`${root}/bench/micro/pipeline.js`)) as typeof import('./pipeline.js');
const { adapt } = (await import(`${root}/src/cli/detect.js`)) as typeof import('../../src/cli/detect.js');
const mod = (await import(`${root}/bench/http/servers/${framework}-app.js`)) as { default: unknown };
const detected = await adapt(mod.default, framework);
const one = `GET ${route} HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n`;
// FASTERAPI_ICOUNT_LOG=1: with the CLI's default access log (text lines to a sink).
const onResponse = process.env.FASTERAPI_ICOUNT_LOG === '1' ? await accessLogToSink(root) : undefined;
const pipe = new p.Pipeline(detected.app, p.defaultTrust(), onResponse === undefined ? {} : { onResponse: onResponse as never });
if (mode === 'check') {
  process.stdout.write(await pipe.answerAsync(Buffer.from(one, 'latin1')));
} else {
  const bytes = Buffer.from(one.repeat(16), 'latin1');
  const reads = Number(readsArg);
  for (let i = 0; i < reads; i++) {
    pipe.read(bytes);
    await pipe.drain();
  }
}

async function accessLogToSink(base: string): Promise<unknown> {
  const { accessLog } = (await import(`${base}/src/cli/access-log.js`)) as typeof import('../../src/cli/access-log.js');
  const { Writable } = await import('node:stream');
  return accessLog('text', new Writable({ write: (_chunk, _enc, cb) => cb() }) as never);
}
