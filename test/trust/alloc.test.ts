// Allocation check for the two common cases of issue 3: no forwarding headers, and a
// trusted proxy with a 3-hop X-Forwarded-For. Measured as new-space bytes per call
// (v8.getHeapSpaceStatistics) over a short loop after warm-up, best of several runs
// so that a scavenge inside one run does not count. Measured on Node 20.20 (x64):
// 0 bytes with no headers; 96 bytes with the 3-hop chain, which is exactly a
// latin1Slice() string (32) plus the [address, port] tuple (64).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Trust } from '../../src/trust/index.js';
import { makeScope } from './helpers.js';
import { bytesPerCall } from '../helpers/alloc.js';

function resolver(trust: Trust, lines: string[]): () => void {
  const scope = makeScope(['127.0.0.1', 40000], lines);
  const peer = scope.peer;
  return () => {
    scope.client = peer;
    scope.scheme = 'http';
    trust.resolve(scope);
  };
}

test('Trust.resolve allocates nothing without forwarding headers', async () => {
  const trust = new Trust({}, null);
  const perCall = await bytesPerCall(resolver(trust, ['Host: api.example.com', 'Accept: */*', 'User-Agent: bench']));
  assert.ok(perCall < 1, `${perCall} bytes per call`);
  const untrusted = makeScope(['203.0.113.9', 40000], ['X-Forwarded-For: 198.51.100.1', 'X-Forwarded-Proto: https']);
  assert.ok((await bytesPerCall(() => trust.resolve(untrusted))) < 1, 'untrusted peer');
});

test('Trust.resolve allocates only the client string and tuple for a 3-hop X-Forwarded-For', async () => {
  const buf = Buffer.from('..198.51.100.1..', 'latin1');
  let sink: [string, number] | null = null;
  const baseline = await bytesPerCall(() => {
    sink = [buf.latin1Slice(2, 14), 0];
  });
  assert.ok(sink !== null);
  const trust = new Trust({ trustedProxies: ['loopback', '10.0.0.0/8'] }, null);
  const chain = await bytesPerCall(resolver(trust, ['Host: a', 'X-Forwarded-For: 198.51.100.1, 10.0.0.1, 10.0.0.2', 'X-Forwarded-Proto: https']));
  assert.ok(chain <= baseline + 1, `${chain} bytes per call, baseline ${baseline}`);
  const forwarded = await bytesPerCall(resolver(new Trust({ forwardedHeaders: 'forwarded' }, null), ['Forwarded: for=198.51.100.1;proto=https']));
  assert.ok(forwarded <= baseline + 1, `Forwarded: ${forwarded} bytes per call, baseline ${baseline}`);
});

test.run();
