// Timeouts, named like node:http's. One coarse sweep a second enforces them, so each
// test uses a limit of a few hundred ms and allows up to ~2.5 s for the sweep.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { sleep, until, wholeBodyApp, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const SWEEP_SLACK = 2500;

test('headersTimeout: an incomplete head gets 408 and the connection is closed', async () => {
  const paths: string[] = [];
  const app: App = (scope, _receive, send) => {
    paths.push(scope.path);
    respond(send, 200, TEXT, 'x');
  };
  await withServer(app, { headersTimeout: 300 }, async ({ connect }) => {
    const c = await connect();
    const t0 = Date.now();
    await c.write('GET /slowloris HTTP/1.1\r\nHost: x\r\nX-A: ');
    await c.waitEnded(300 + SWEEP_SLACK);
    const elapsed = Date.now() - t0;
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 408);
    assert.is(res[0].headers.connection, 'close');
    assert.ok(elapsed >= 250, `not before the limit (${elapsed} ms)`);
    assert.equal(paths, []);
  });
});

test('headersTimeout: a connection that never sends a byte is closed (408)', async () => {
  await withServer(
    () => {},
    { headersTimeout: 300 },
    async ({ connect }) => {
      const c = await connect();
      await c.waitEnded(300 + SWEEP_SLACK);
      assert.ok(c.text === '' || c.text.startsWith('HTTP/1.1 408 '), c.text);
    },
  );
});

test('headersTimeout: a head that dribbles in byte by byte does not reset the clock', async () => {
  await withServer(
    () => {},
    { headersTimeout: 300, requestTimeout: 60_000 },
    async ({ connect }) => {
      const c = await connect();
      const t0 = Date.now();
      // one byte every 50 ms keeps the connection "active" but the head never completes
      const dribble = (async () => {
        const head = `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(200)}\r\n\r\n`;
        for (const ch of head) {
          if (c.ended) return;
          await c.write(ch);
          await sleep(50);
        }
      })();
      await c.waitEnded(300 + SWEEP_SLACK);
      assert.ok(Date.now() - t0 < 300 + SWEEP_SLACK);
      assert.ok(c.text.startsWith('HTTP/1.1 408 '), c.text);
      await dribble;
    },
  );
});

test('headersTimeout: a complete head in time is served', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 200, TEXT, 'in time');
  await withServer(app, { headersTimeout: 300 }, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(1))[0].body, 'in time');
  });
});

test('headersTimeout applies to the second request on a keep-alive connection too', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 200, TEXT, 'x');
  await withServer(app, { headersTimeout: 300, keepAliveTimeout: 60_000 }, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitResponses(1);
    await c.write('GET /2 HTTP/1.1\r\nHo');
    await c.waitEnded(300 + SWEEP_SLACK);
    const res = c.responses();
    assert.equal(
      res.map((r) => r.status),
      [200, 408],
    );
  });
});

test('requestTimeout: a body that does not arrive in time → 408, close; the app sees a disconnect', async () => {
  const seen: string[] = [];
  const app = wholeBodyApp(seen);
  await withServer(app, { headersTimeout: 5000, requestTimeout: 400 }, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b');
    await c.waitEnded(400 + SWEEP_SLACK);
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].status, 408);
    assert.is(res[0].headers.connection, 'close');
    await sleep(20);
    assert.is(seen.at(-1), 'http.disconnect');
    assert.not.ok(
      logs.some((l) => l.level === 'error'),
      JSON.stringify(logs),
    );
  });
});

test('keepAliveTimeout: an idle keep-alive connection is closed by the server (FIN, no response)', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 200, TEXT, 'x');
  await withServer(app, { keepAliveTimeout: 300 }, async ({ connect, server }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitResponses(1);
    const t0 = Date.now();
    await c.waitEnded(300 + SWEEP_SLACK);
    assert.ok(Date.now() - t0 >= 250, 'not before the limit');
    assert.is(c.responses().length, 1, 'no extra response on an idle close');
    await until(() => server.connections === 0, 1000, 'the server to forget it');
  });
});

test('keepAliveTimeout: activity keeps the connection; it is the idle time that counts', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 200, TEXT, 'x');
  await withServer(app, { keepAliveTimeout: 1500 }, async ({ connect }) => {
    const c = await connect();
    for (let i = 1; i <= 4; i++) {
      await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await c.waitResponses(i);
      await sleep(500); // 4 × 500 ms > 1500 ms in total, but never idle that long
    }
    assert.not.ok(c.ended);
  });
});

test('default keepAliveTimeout outlasts a load balancer idle timeout (AWS ALB: 60 s)', async () => {
  await withServer(
    () => {},
    {},
    async ({ server }) => {
      assert.ok(server.core.keepAliveTimeout > 60_000, String(server.core.keepAliveTimeout));
      assert.ok(server.core.headersTimeout > 0 && server.core.requestTimeout >= server.core.headersTimeout);
    },
  );
});

test('a slow app within requestTimeout is not a timeout (headers and keep-alive timeouts do not apply to it)', async () => {
  const app: App = async (_scope, _receive, send) => {
    await sleep(1200);
    respond(send, 200, TEXT, 'slow but fine');
  };
  await withServer(app, { headersTimeout: 300, requestTimeout: 3000, keepAliveTimeout: 300 }, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1, 3000);
    assert.is(res[0].body, 'slow but fine');
  });
});

test.run();
