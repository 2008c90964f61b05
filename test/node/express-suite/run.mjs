// Runs Express 5's own mocha suite on fasterapi/node (preload.mjs) or, with --baseline, on
// node:http. The checkout is the first argument or EXPRESS_SUITE; it needs its devDependencies
// installed (npm install in it). CI has no network: this runs by hand (docs/node-compat.md).
//   npm run test:express-suite -- /tmp/express-suite [--baseline]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const baseline = args.includes('--baseline');
const dir = args.find((a) => !a.startsWith('--')) ?? process.env.EXPRESS_SUITE;
if (!dir || !existsSync(join(dir, 'test', 'support', 'env.js'))) {
  console.error('usage: npm run test:express-suite -- <express checkout with node_modules> [--baseline]  (or EXPRESS_SUITE=<dir>)');
  process.exit(2);
}
const preload = pathToFileURL(fileURLToPath(new URL('./preload.mjs', import.meta.url))).href;
const mocha = join(dir, 'node_modules', '.bin', 'mocha');
const r = spawnSync(mocha, ['--require', 'test/support/env', '--reporter', 'json', '--check-leaks', 'test/', 'test/acceptance/'], {
  cwd: dir,
  env: { ...process.env, NODE_OPTIONS: baseline ? '' : `--import ${preload}` },
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
  timeout: 600_000,
});
const start = r.stdout.indexOf('{\n');
if (start < 0) {
  console.error(r.stderr || r.stdout);
  process.exit(1);
}
const report = JSON.parse(r.stdout.slice(start));
const { passes, failures, pending } = report.stats;
const total = passes + failures;
console.log(`Express suite on ${baseline ? 'node:http' : 'fasterapi/node'}: ${passes}/${total} passed (${((100 * passes) / total).toFixed(1)}%), ${pending} pending`);
for (const f of report.failures)
  console.log(
    `- ${f.fullTitle}\n    ${String(f.err?.message ?? '')
      .split('\n')[0]
      .slice(0, 200)}`,
  );
process.exit(passes / total >= 0.95 ? 0 : 1);
