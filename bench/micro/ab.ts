// Side-by-side timing of two builds in process: the same request shape and app through each
// build's Pipeline (icount.ts in its `time` mode: no sockets), in separate processes pinned to
// one core, alternated round by round so that the host's drift falls on both. For hot-path
// changes of a few percent, where callgrind's counts of one build moved by up to 8% between
// runs (JIT timing) and the HTTP suite's rounds swing more.
//   node dist/bench/micro/ab.js <old checkout> <new checkout> [shape] [app] [reads] [rounds]
//   shape and app: as icount.ts takes them (default pipelined hello)
// Prints ns per request of each round and the median ratio new/old.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [oldDir, newDir, shape = 'pipelined', app = 'hello', reads = '30000', rounds = '5'] = process.argv.slice(2);
if (oldDir === undefined || newDir === undefined) {
  console.error('usage: node dist/bench/micro/ab.js <old checkout> <new checkout> [shape] [app] [reads] [rounds]');
  process.exit(2);
}

// This build's icount.js, given the checkout whose dist/ it loads: both builds run the same driver.
const icount = fileURLToPath(new URL('./icount.js', import.meta.url));
const time = (dir: string): number => Number(execFileSync('taskset', ['-c', '0', process.execPath, icount, dir, reads, shape, app, 'time']).toString().trim());
const ratios: number[] = [];
for (let r = 0; r < Number(rounds); r++) {
  const a = time(oldDir);
  const b = time(newDir);
  ratios.push(b / a);
  console.log(`round ${r + 1}: old ${a.toFixed(1)} ns, new ${b.toFixed(1)} ns per request (${(b / a).toFixed(3)})`);
}
ratios.sort((x, y) => x - y);
console.log(`median new/old: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)}`);
