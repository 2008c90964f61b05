// Instruction-count probe: N reads of a request shape through one build's transport (the
// in-process Pipeline, no sockets), for valgrind's callgrind. On hosts whose speed swings
// between rounds (this one: ±20-30%), instruction counts are the repeatable measure of a
// hot-path change. Run it for N and a larger N under
//   valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
//     node dist/bench/micro/icount.js <checkout> <reads> [curl|pipelined|proxy]
// and divide the difference of the "Collected" totals by the difference in requests
// (pipelined: 16 per read). Two builds can run at once: counts do not depend on load.
const [dir = '.', readsArg = '1000', shape = 'pipelined'] = process.argv.slice(2);
const p = (await import(`${dir.startsWith('/') ? '' : `${process.cwd()}/`}${dir}/dist/bench/micro/pipeline.js`)) as typeof import('./pipeline.js');
const CURL = 'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n';
const PROXIED = 'GET /ip HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 203.0.113.7, 10.0.0.2\r\nX-Forwarded-Proto: https\r\nAccept: */*\r\n\r\n';
const text = shape === 'curl' ? CURL : shape === 'proxy' ? PROXIED : CURL.repeat(16);
const bytes = Buffer.from(text, 'latin1');
const pipe = new p.Pipeline(p.staticApp, shape === 'proxy' ? p.newTrust() : null);
const reads = Number(readsArg);
for (let i = 0; i < reads; i++) pipe.read(bytes);
