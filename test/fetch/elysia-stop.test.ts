// Elysia's app.stop() when the CLI serves the app (it calls app.server.stop(), which the
// CLI's detection provides): the same graceful close as SIGTERM, so a request in flight
// finishes, then the port refuses and the process exits 0. (No comparison with
// @elysiajs/node 1.4: there the same app.stop() from a route rejects with "Elysia isn't
// running", its adapter leaving app.server unset.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accepts, RawClient } from '../helpers/raw.js';
import { startCli } from '../cli/spawn.js';

// Elysia finds the path from the 12th character of the URL on: a one-letter host would hide it.
const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

/** /slow in flight on one connection, /stop on another: both answered, then nothing listens. */
async function stopWhileBusy(port: number): Promise<{ slow: string; stop: string }> {
  const busy = await RawClient.connect(port);
  const stopper = await RawClient.connect(port);
  try {
    await busy.write(GET('/slow'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stopper.write(GET('/stop'));
    const [stop] = await stopper.waitResponses(1);
    const [slow] = await busy.waitResponses(1, 3000);
    return { slow: `${slow.status} ${slow.body.toString()}`, stop: `${stop.status} ${stop.body.toString()}` };
  } finally {
    busy.destroy();
    stopper.destroy();
  }
}

test('CLI: app.stop() from a route closes the server gracefully; onStop runs; the process exits 0', async () => {
  const { cli, port } = await startCli(['test/fetch/fixtures/elysia-stop-app.ts', '--port', '0', '--no-access-log']);
  try {
    assert.match(cli.stderr(), /fetch \(Elysia\) app/);
    const answers = await stopWhileBusy(port);
    assert.equal(answers, { slow: '200 slow done', stop: '200 stopping' });
    assert.is(await cli.exited(5000), 0, cli.stderr());
    assert.not.ok(await accepts(port), 'port refuses');
    const err = cli.stderr();
    assert.match(err, /shutting down: waiting for in-flight requests/);
    assert.match(err, /stopped/);
    assert.not.match(err, /app\.stop\(\) failed/);
    assert.match(err, /app\.stop\(\) resolved/);
    assert.match(err, /onStop ran/);
  } finally {
    cli.kill();
  }
});

test.run();
