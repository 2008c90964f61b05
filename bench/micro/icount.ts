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
// instead (bench/micro/ab.ts alternates two builds with it); `per` checks the shape and app
// and prints the requests one read carries, running nothing (icount.sh divides by it).
const [dir = '.', readsArg = '1000', shape = 'pipelined', appName = 'static', mode = ''] = process.argv.slice(2);
const base = `${dir.startsWith('/') ? '' : `${process.cwd()}/`}${dir}/dist/bench/micro`;
const p = (await import(`${base}/pipeline.js`)) as typeof import('./pipeline.js');
const CURL = 'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n';
const PROXIED = 'GET /ip HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.2\r\nX-Forwarded-Proto: https\r\nAccept: */*\r\n\r\n';
const shapes = async (): Promise<typeof import('./shapes.js')> => import(`${base}/shapes.js`);
const text = (t: string): Buffer => Buffer.from(t, 'latin1');
/** Each shape's bytes, and the requests one read of it carries. */
const SHAPE_BYTES: Record<string, { perRead: number; bytes: () => Promise<Buffer> }> = {
  curl: { perRead: 1, bytes: async () => text(CURL) },
  pipelined: { perRead: 16, bytes: async () => text(CURL.repeat(16)) },
  proxy: { perRead: 1, bytes: async () => text(PROXIED) },
  browser: { perRead: 1, bytes: async () => (await shapes()).SHAPES.browser.bytes },
  realistic: { perRead: 1, bytes: async () => (await shapes()).SHAPES.realistic.bytes },
  realistic16: { perRead: 16, bytes: async () => (await shapes()).SHAPES.realisticPipelined.bytes },
  xff3: { perRead: 1, bytes: async () => text((await shapes()).XFF_3_HOP) },
};
// An unknown shape used to fall through to pipelined curl: an old checkout's driver, given a
// shape it predates, measured another request without a word.
const chosen = Object.hasOwn(SHAPE_BYTES, shape) ? SHAPE_BYTES[shape]! : null;
if (chosen === null) {
  console.error(`icount: unknown shape ${JSON.stringify(shape)} (one of ${Object.keys(SHAPE_BYTES).join(', ')})`);
  process.exit(2);
}
const bytes = await chosen.bytes();
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

/** Requests one read carries (`trust`: one resolve per "read"). */
const perRead = appName === 'trust' ? 1 : chosen.perRead;
if (mode === 'per') {
  console.log(perRead);
  process.exit(0);
}

await runReads(reads);
if (mode === 'time') {
  const t = process.hrtime.bigint();
  await runReads(reads);
  console.log((Number(process.hrtime.bigint() - t) / (reads * perRead)).toFixed(1));
}
