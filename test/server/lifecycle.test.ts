// The app's lifecycle: ASGI lifespan (startup before the port accepts, shutdown after the
// last in-flight request), a handler that never answers (503 after requestTimeout, one
// warning line), and shutdown that ends by itself (timeoutGracefulShutdown) whatever the
// app does, in-process and through the CLI (SIGTERM → `stopped`, exit 0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, Faster, LifespanError, type App, type LifespanMessage, type Send } from '../../src/index.js';
import { respond } from '../../src/server/respond.js';
import { accepts, parseResponses, rawRequest, recordingLogger, type LogRecord } from '../helpers/raw.js';
import { runCli, startCli } from '../cli/spawn.js';

const APP = fileURLToPath(new URL('./fixtures/lifecycle-app.js', import.meta.url));
const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('Faster lifespan: startup hooks in order and before the port accepts; shutdown after the in-flight request', async () => {
  const events: string[] = [];
  const port = await freePort();
  const app = new Faster({ logger: recordingLogger([]) });
  let release: () => void = () => {};
  app.onStartup(async () => {
    events.push(`startup 1, accepting=${await accepts(port)}`);
  });
  app.onStartup(() => {
    events.push('startup 2');
  });
  app.onShutdown(() => {
    events.push('shutdown');
  });
  app.get('/slow', async () => {
    await new Promise<void>((r) => {
      release = r;
    });
    events.push('slow answered');
    return 'done';
  });
  const server = await app.listen({ port, host: '127.0.0.1' });
  events.push('listening');
  const answer = rawRequest(port, GET('/slow'), { timeout: 5000 });
  await new Promise((r) => setTimeout(r, 100));
  const closed = server.close().then(() => events.push('closed'));
  await new Promise((r) => setTimeout(r, 100));
  assert.not.ok(events.includes('shutdown'), 'shutdown waits for the request in flight');
  release();
  const res = parseResponses((await answer).data);
  await closed;
  assert.is(res[0]?.body, 'done');
  assert.equal(events, ['startup 1, accepting=false', 'startup 2', 'listening', 'slow answered', 'shutdown', 'closed']);
});

test('a startup hook that throws: listen() rejects with a LifespanError naming why, and nothing listens', async () => {
  const port = await freePort();
  const app = new Faster({ logger: recordingLogger([]) });
  app.onStartup(() => {
    throw new Error('cache warm-up failed');
  });
  const err = await app.listen({ port, host: '127.0.0.1' }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof LifespanError, String(err));
  assert.is((err as Error).message, 'application startup failed: cache warm-up failed');
  assert.not.ok(await accepts(port));
});

test("a raw ASGI app gets lifespan messages with lifespan: 'on', none by default; 'on' with an app that ignores them fails", async () => {
  const seen: string[] = [];
  const lifespanApp: App = async (scope, receive, send: Send) => {
    if (scope.type === 'lifespan') {
      for (;;) {
        const m = (await receive()) as unknown as LifespanMessage;
        seen.push(m.type);
        await send({ type: m.type === 'lifespan.startup' ? 'lifespan.startup.complete' : 'lifespan.shutdown.complete' });
        if (m.type === 'lifespan.shutdown') return;
      }
    }
    return respond(send, 200, null, 'ok');
  };
  const on = await createServer(lifespanApp, { lifespan: 'on', logger: recordingLogger([]) }).listen(0, '127.0.0.1');
  assert.equal(seen, ['lifespan.startup']);
  assert.is(parseResponses((await rawRequest(on.address().port, GET('/'))).data)[0]?.body, 'ok');
  await on.close();
  assert.equal(seen, ['lifespan.startup', 'lifespan.shutdown']);

  seen.length = 0;
  const auto = await createServer(lifespanApp, { logger: recordingLogger([]) }).listen(0, '127.0.0.1');
  await auto.close();
  assert.equal(seen, [], "'auto' calls only apps that declare lifespan (Faster)");

  const plain: App = (_scope, _receive, send) => respond(send, 200, null, 'plain');
  const err = await createServer(plain, { lifespan: 'on', logger: recordingLogger([]) })
    .listen(0, '127.0.0.1')
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert.ok(err instanceof LifespanError);
  assert.match((err as Error).message, /application startup failed/);
});

test('a handler that never answers: 503 after requestTimeout with one warning naming method and path; the connection closes', async () => {
  const logs: LogRecord[] = [];
  const app = new Faster({ logger: recordingLogger(logs), requestTimeout: 1000 });
  app.get('/hang', () => new Promise(() => {}));
  app.get('/', () => 'fine');
  const server = await app.listen({ port: 0 });
  try {
    const started = Date.now();
    const { data, closed } = await rawRequest(server.address().port, GET('/hang?x=1'), { timeout: 5000 });
    const res = parseResponses(data);
    assert.is(res[0]?.status, 503);
    assert.is(res[0]?.headers.connection, 'close');
    assert.ok(closed);
    assert.ok(Date.now() - started >= 900, 'not before the timeout');
    const warnings = logs.filter((l) => l.level === 'warn' && l.message.includes('request timeout'));
    assert.is(warnings.length, 1);
    assert.match(warnings[0].message, /GET \/hang was not answered within 1 s/);
    // the server goes on serving
    assert.is(parseResponses((await rawRequest(server.address().port, GET('/'))).data)[0]?.body, 'fine');
  } finally {
    await server.close();
  }
});

test('close() with a hung handler ends after timeoutGracefulShutdown, cutting the connection', async () => {
  const logs: LogRecord[] = [];
  const app = new Faster({ logger: recordingLogger(logs), timeoutGracefulShutdown: 500 });
  app.get('/hang', () => new Promise(() => {}));
  const server = await app.listen({ port: 0 });
  const pending = rawRequest(server.address().port, GET('/hang'), { timeout: 5000 });
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await server.close();
  const took = Date.now() - started;
  assert.ok(took >= 400 && took < 3000, `close took ${took} ms`);
  assert.ok((await pending).closed);
  assert.ok(logs.some((l) => l.level === 'warn' && /1 request\(s\) in flight cut after timeoutGracefulShutdown/.test(l.message)));
});

test('CLI: SIGTERM with a hung handler exits 0 with the stopped line, shutdown hook run', async () => {
  const { cli, port } = await startCli([APP, '--port', '0']);
  try {
    assert.match(cli.stdout(), /startup ran/);
    const pending = rawRequest(port, GET('/hang'), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    cli.child.kill('SIGTERM');
    const code = await cli.exited(10_000);
    assert.is(code, 0, cli.stderr());
    assert.match(cli.stderr(), /stopped/);
    assert.match(cli.stdout(), /shutdown ran/);
    assert.ok((await pending).closed);
  } finally {
    cli.kill();
  }
});

test('CLI: a failing startup prints one line and exits 2, without listening', async () => {
  const cli = runCli([APP, '--port', '0'], { env: { FAIL_STARTUP: '1' } });
  const code = await cli.exited(10_000);
  assert.is(code, 2);
  const lines = cli.stderr().trim().split('\n');
  assert.is(lines.length, 1, cli.stderr());
  assert.match(lines[0], /application startup failed: database unreachable \(db\.internal:5432\)/);
  assert.not.match(cli.stdout(), /startup ran/);
});

test.run();
