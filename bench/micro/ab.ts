// Side-by-side timing of two builds in process: the same request shape and app through each
// build's Pipeline (no sockets), in separate processes pinned to one core, alternated round by
// round so that the host's drift falls on both. For hot-path changes of a few percent, where
// callgrind's counts of one build moved by up to 8% between runs (JIT timing) and the HTTP
// suite's rounds swing more.
//   node dist/bench/micro/ab.js <old checkout> <new checkout> [shape] [app] [reads] [rounds]
//   shape: pipelined (16 curl GETs a read, default) | realistic (the realistic request)
//   app:   hello (default) | static | realistic   (as in icount.ts)
// Prints ns per request of each round and the median ratio new/old.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [oldDir, newDir, shape = 'pipelined', app = 'hello', reads = '30000', rounds = '5'] = process.argv.slice(2);
if (oldDir === undefined || newDir === undefined) {
  console.error('usage: node dist/bench/micro/ab.js <old checkout> <new checkout> [shape] [app] [reads] [rounds]');
  process.exit(2);
}

if (process.env.AB_CHILD === '1') {
  await child(oldDir, shape, app, Number(reads));
} else {
  const self = fileURLToPath(import.meta.url);
  const time = (dir: string): number =>
    Number(
      execFileSync('taskset', ['-c', '0', process.execPath, self, dir, dir, shape, app, reads], { env: { ...process.env, AB_CHILD: '1' } })
        .toString()
        .trim(),
    );
  const ratios: number[] = [];
  for (let r = 0; r < Number(rounds); r++) {
    const a = time(oldDir);
    const b = time(newDir);
    ratios.push(b / a);
    console.log(`round ${r + 1}: old ${a.toFixed(1)} ns, new ${b.toFixed(1)} ns per request (${(b / a).toFixed(3)})`);
  }
  ratios.sort((x, y) => x - y);
  console.log(`median new/old: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)}`);
}

/** One build, one process: warm up with `reads` reads, then time as many. Prints ns per request. */
async function child(dir: string, shapeName: string, appName: string, n: number): Promise<void> {
  const base = `${dir.startsWith('/') ? '' : `${process.cwd()}/`}${dir}/dist/bench/micro`;
  const p = (await import(`${base}/pipeline.js`)) as typeof import('./pipeline.js');
  const s = (await import(`${base}/shapes.js`)) as typeof import('./shapes.js');
  const CURL = 'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n';
  const realistic = shapeName === 'realistic';
  const bytes = realistic ? s.SHAPES.realistic.bytes : Buffer.from(CURL.repeat(16), 'latin1');
  const per = realistic ? 1 : 16;
  const pipe =
    appName === 'realistic'
      ? new p.Pipeline(p.realisticApp(), p.realisticTrust())
      : appName === 'static'
        ? new p.Pipeline(p.staticApp, realistic ? p.newTrust() : null)
        : new p.Pipeline(p.helloApp('bare'), p.defaultTrust());
  const drains = appName !== 'static';
  for (let i = 0; i < n; i++) {
    pipe.read(bytes);
    if (drains) await pipe.drain();
  }
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    pipe.read(bytes);
    if (drains) await pipe.drain();
  }
  console.log((Number(process.hrtime.bigint() - t) / (n * per)).toFixed(1));
}
