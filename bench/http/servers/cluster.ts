// Forks WORKERS copies of a server script (argv[2]) with node:cluster; prints READY once all listen.
import cluster from 'node:cluster';
import { resolve } from 'node:path';

const script = process.argv[2];
const workers = Number(process.env.WORKERS ?? '2');
if (script === undefined || !(workers >= 1)) {
  console.error('usage: WORKERS=n PORT=p node cluster.js <server.js>');
  process.exit(2);
}

cluster.setupPrimary({ exec: resolve(script), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
let listening = 0;
let stopping = false;
cluster.on('listening', () => {
  if (++listening === workers) console.log('READY');
});
cluster.on('exit', (worker, code, signal) => {
  if (stopping) return;
  console.error(`cluster: worker ${worker.process.pid} exited (${signal ?? code})`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
}
for (let i = 0; i < workers; i++) cluster.fork();
