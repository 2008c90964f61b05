// npm run fuzz -- [--seed N] [--count M] [--concurrency C]
// More fuzz cases than npm test runs; prints failures with the bytes to replay them.
import { runFuzz } from './harness.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new TypeError(`--${name} needs a number`);
  return v;
}

const seed = arg('seed', Date.now() % 0x7fffffff) >>> 0;
const count = arg('count', 20_000);
const concurrency = arg('concurrency', 16);
console.log(`fuzz: seed ${seed}, ${count} cases, ${concurrency} at a time`);
const r = await runFuzz({ seed, count, concurrency, onProgress: (n) => console.log(`  ${n} cases`) });
const top = Object.entries(r.statuses)
  .sort((a, b) => b[1] - a[1])
  .map(([s, n]) => `${s}×${n}`)
  .join(' ');
console.log(`${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s, ${r.appCalls} app calls; answers: ${top}`);
if (r.failures.length > 0) {
  console.log(`\n${r.failures.length} failure(s):\n`);
  for (const f of r.failures) console.log(f + '\n');
  process.exitCode = 1;
} else console.log('no failures');
