/**
 * Seeded mutation fuzzing over real sockets, a fixed number of cases (see harness.ts for
 * the invariants). `npm run fuzz -- --seed N --count M` runs more (test/fuzz/run.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFuzz } from './harness.js';

const SEED = 0x5eed_2026;
const COUNT = 8000;

test(`fuzz: ${COUNT} mutated request streams, seed ${SEED}`, async () => {
  // maxMs bounds the run on a slow machine; the count done is printed and must be most of it.
  const r = await runFuzz({ seed: SEED, count: COUNT, concurrency: 8, maxMs: 25_000 });
  const top = Object.entries(r.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  console.log(`  ${r.cases} cases in ${r.ms} ms, ${r.appCalls} app calls; answers: ${top}`);
  assert.equal(r.failures, [], r.failures.slice(0, 5).join('\n\n'));
  assert.ok(r.cases >= COUNT * 0.5, `only ${r.cases} of ${COUNT} cases ran within the time bound`);
});

test.run();
