// Instruction-count probe: N reads of a request shape through one build's transport (the
// in-process Pipeline, no sockets), for valgrind's callgrind. On hosts whose speed swings
// between rounds (this one: ±20-30%), instruction counts are the repeatable measure of a
// hot-path change. Run it for N and a larger N under
//   valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
//     node dist/bench/micro/icount.js <checkout> <reads> [shape] [app]
// and divide the difference of the "Collected" totals by the difference in requests
// (pipelined: 16 per read). Two builds can run at once: counts do not depend on load.
//   shape: curl | pipelined (default) | proxy | browser | realistic | realistic16 | xff3
//          (realistic16: the realistic request 16 times in one read, as the suite pipelines it)
//   app:   static (default: the bare transport answering at once)
//          hello | hello-async | hello-async2 | hello-sync | hello-host | hello-host-async
//            (the hello app of bench/http/servers/hello-app.ts: bare, one async or sync
//            pass-through, TrustedHostMiddleware, both)
//          realistic (the realistic app; use it with the realistic shape)
//          trust (no transport: Trust.resolve alone on the shape's head, once per "read")
// The hello and realistic apps may answer after an await: each read is then drained
// (a few nextTicks), so compare them with each other, not with static.
// bench/micro/icount.sh runs the pair of N for you and prints instructions per request.
// A fifth argument `time` runs the N reads twice and prints the second run's ns per request
// instead (bench/micro/ab.ts alternates two builds with it).
const [dir = '.', readsArg = '1000', shape = 'pipelined', appName = 'static', mode = ''] = process.argv.slice(2);
// An unknown shape used to fall through to pipelined curl: an old checkout's driver, given a
// shape it predates, measured another request without a word.
const SHAPE_NAMES = ['curl', 'pipelined', 'proxy', 'browser', 'realistic', 'realistic16', 'xff3'];
if (!SHAPE_NAMES.includes(shape)) {
  console.error(`icount: unknown shape ${JSON.stringify(shape)} (one of ${SHAPE_NAMES.join(', ')})`);
  process.exit(2);
}
const base = `${dir.startsWith('/') ? '' : `${process.cwd()}/`}${dir}/dist/bench/micro`;
const p = (await import(`${base}/pipeline.js`)) as typeof import('./pipeline.js');
const CURL = 'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n';
const PROXIED = 'GET /ip HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.2\r\nX-Forwarded-Proto: https\r\nAccept: */*\r\n\r\n';
const named = async (name: 'browser' | 'realistic' | 'realistic16' | 'xff3'): Promise<Buffer> => {
  const s = (await import(`${base}/shapes.js`)) as typeof import('./shapes.js');
  if (name === 'realistic16') return s.SHAPES.realisticPipelined.bytes;
  return name === 'xff3' ? Buffer.from(s.XFF_3_HOP, 'latin1') : s.SHAPES[name].bytes;
};
const bytes =
  shape === 'browser' || shape === 'realistic' || shape === 'realistic16' || shape === 'xff3'
    ? await named(shape)
    : Buffer.from(shape === 'curl' ? CURL : shape === 'proxy' ? PROXIED : CURL.repeat(16), 'latin1');
const reads = Number(readsArg);

/** The N reads of this shape and app (for `trust`: N resolves). */
let runReads: (n: number) => Promise<void>;
if (appName === 'trust') {
  const trust = p.newTrust();
  const scope = p.parsedScope(bytes, trust);
  runReads = async (n) => {
    for (let i = 0; i < n; i++) {
      p.resetForTrust(scope);
      trust.resolve(scope);
    }
  };
} else if (appName === 'static') {
  const pipe = new p.Pipeline(p.staticApp, shape === 'proxy' || shape.startsWith('realistic') ? p.newTrust() : null);
  runReads = async (n) => {
    for (let i = 0; i < n; i++) pipe.read(bytes);
  };
} else {
  const HELLO: Record<string, import('../http/servers/hello-app.js').HelloVariant> = {
    hello: 'bare',
    'hello-async': 'async',
    'hello-async2': 'async2',
    'hello-sync': 'sync',
    'hello-host': 'host',
    'hello-host-async': 'host+async',
  };
  const variant = HELLO[appName];
  if (variant === undefined && appName !== 'realistic') throw new Error(`unknown app ${appName}`);
  const pipe = variant === undefined ? new p.Pipeline(p.realisticApp(), p.realisticTrust()) : new p.Pipeline(p.helloApp(variant), p.defaultTrust());
  runReads = async (n) => {
    for (let i = 0; i < n; i++) {
      pipe.read(bytes);
      await pipe.drain();
    }
  };
}

await runReads(reads);
if (mode === 'time') {
  const perRead = (shape === 'pipelined' || shape === 'realistic16') && appName !== 'trust' ? 16 : 1;
  const t = process.hrtime.bigint();
  await runReads(reads);
  console.log((Number(process.hrtime.bigint() - t) / (reads * perRead)).toFixed(1));
}
