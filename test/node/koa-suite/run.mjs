// Runs Koa 3's own node:test suite on fasterapi/node (preload.mjs) or, with --baseline, on
// node:http. The checkout is the first argument or KOA_SUITE; it needs its devDependencies
// installed (npm install in it). CI has no network: this runs by hand (docs/node-compat.md).
//   npm run test:koa-suite -- /tmp/koa-suite [--baseline]
// One `node --test` per file, each given FILE_MS: a file whose process does not exit (a
// server left open) costs its own tests only, and is reported.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FILE_MS = 60_000;
const args = process.argv.slice(2);
const baseline = args.includes('--baseline');
const dir = args.find((a) => !a.startsWith('--')) ?? process.env.KOA_SUITE;
if (!dir || !existsSync(join(dir, '__tests__', 'application'))) {
  console.error('usage: npm run test:koa-suite -- <koa checkout with node_modules> [--baseline]  (or KOA_SUITE=<dir>)');
  process.exit(2);
}
const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const reporter = `--test-reporter=${pathToFileURL(here('./reporter.mjs')).href}`;
// NODE_OPTIONS reaches the process node --test starts for the file.
const env = { ...process.env, NODE_OPTIONS: baseline ? '' : `--import ${pathToFileURL(here('./preload.mjs')).href}` };
const files = readdirSync(join(dir, '__tests__'), { recursive: true })
  .filter((f) => f.endsWith('.test.js'))
  .sort();

const results = [];
const hung = [];
for (const file of files) {
  const r = spawnSync(process.execPath, ['--test', reporter, join('__tests__', file)], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: FILE_MS });
  let n = 0;
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const t = JSON.parse(line);
    t.file = file;
    results.push(t);
    n++;
  }
  if (r.error || r.signal) hung.push(`${file}: did not exit within ${FILE_MS / 1000} s (${n} tests reported)`);
  else if (n === 0) hung.push(`${file}: no test reported: ${(r.stderr || '').split('\n').slice(0, 3).join(' ')}`);
}
const run = results.filter((t) => !t.skip);
const failures = run.filter((t) => !t.pass);
const passes = run.length - failures.length;
console.log(
  `Koa suite on ${baseline ? 'node:http' : 'fasterapi/node'}: ${passes}/${run.length} passed (${((100 * passes) / run.length).toFixed(1)}%), ${results.length - run.length} skipped, ${files.length} files`,
);
for (const f of failures) console.log(`- ${f.file}: ${f.title}\n    ${f.error.split('\n')[0].slice(0, 200)}`);
for (const h of hung) console.log(`- ${h}`);
process.exit(hung.length === 0 && passes / run.length >= 0.95 ? 0 : 1);
