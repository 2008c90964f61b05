// An exception or rejected promise in the app: 500 when nothing was sent yet, the
// connection closed when the response had started; the process never crashes and the
// error reaches the logger hook.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { sleep, until, withServer, type LogRecord } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

function errorsIn(logs: LogRecord[]): LogRecord[] {
  return logs.filter((l) => l.level === 'error');
}

/** /throw, /reject, /throw-late (after the head), /reject-late; anything else answers ok. */
const faulty: App = (scope, _receive, send) => {
  switch (scope.path) {
    case '/throw':
      throw new Error('sync boom');
    case '/reject':
      return sleep(5).then(() => {
        throw new Error('async boom');
      });
    case '/throw-late':
      return (async () => {
        await send({ type: 'http.response.start', status: 200, headers: { 'content-type': 'text/plain' } });
        await send({ type: 'http.response.body', body: 'partial', moreBody: true });
        throw new Error('late boom');
      })();
    case '/reject-late':
      return (async () => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'partial', moreBody: true });
        await sleep(10);
        return Promise.reject(new Error('late async boom'));
      })();
    default:
      respond(send, 200, TEXT, `ok ${scope.path}`);
  }
};

test('a sync throw before any response → 500; the error is logged; the connection does what the 500 announced', async () => {
  await withServer(faulty, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('GET /throw HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 500);
    assert.is(res[0].body, 'Internal Server Error');
    assert.not.ok(c.text.includes('sync boom'), 'the error is not leaked to the client');
    const errs = errorsIn(logs);
    assert.is(errs.length, 1);
    assert.instance(errs[0].err, Error);
    assert.is((errs[0].err as Error).message, 'sync boom');
    // The throw happens while the request is still being parsed (dispatch runs at
    // headers-complete), so the transport may close; if it says so, it must do so.
    if (res[0].headers.connection === 'close') await c.waitEnded();
    else {
      await c.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.is((await c.waitResponses(2))[1].body, 'ok /next');
    }
  });
});

test('a sync throw on a request with an unread body → 500 and close (the body cannot be trusted as framing)', async () => {
  await withServer(faulty, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST /throw HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234');
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 500);
    assert.is(res[0].headers.connection, 'close');
    await c.waitEnded();
  });
});

test('a rejected promise before any response → 500; the error is logged', async () => {
  await withServer(faulty, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('GET /reject HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    assert.equal(
      res.map((r) => r.status),
      [500, 200],
      'later pipelined requests are still answered, in order',
    );
    assert.is((errorsIn(logs)[0].err as Error).message, 'async boom');
  });
});

for (const path of ['/throw-late', '/reject-late']) {
  test(`${path}: an error after the response started closes the connection; no 500 is appended`, async () => {
    await withServer(faulty, {}, async ({ connect, logs, server }) => {
      const c = await connect();
      await c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await c.waitEnded();
      assert.ok(c.text.startsWith('HTTP/1.1 200 OK'));
      assert.ok(c.text.includes('partial'));
      assert.not.ok(c.text.includes(' 500 '), 'no second status line');
      assert.not.ok(c.text.endsWith('0\r\n\r\n'), 'the body is not terminated as if complete');
      assert.is(errorsIn(logs).length, 1);
      await until(() => server.connections === 0, 1000, 'the connection to go');
    });
  });
}

test('the process survives: after all kinds of failures a new connection is served', async () => {
  await withServer(faulty, {}, async ({ connect, logs }) => {
    for (const path of ['/throw', '/reject', '/throw-late', '/reject-late']) {
      const c = await connect();
      await c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      await c.waitEnded();
    }
    const c = await connect();
    await c.write('GET /alive HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(1))[0].body, 'ok /alive');
    assert.is(errorsIn(logs).length, 4);
  });
});

test('an app that returns without responding gets a logged 500', async () => {
  const app: App = async () => {
    await sleep(5);
  };
  await withServer(app, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(1))[0].status, 500);
    assert.ok(errorsIn(logs).length >= 1);
  });
});

test('an app that returns with its response unfinished: the connection is closed', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'half', moreBody: true });
  };
  await withServer(app, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    assert.ok(c.text.includes('half'));
    assert.ok(errorsIn(logs).length >= 1);
  });
});

test('misuse of send() (body before start, two starts) rejects and is reported, not a crash', async () => {
  const outcomes: string[] = [];
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/body-first') {
      await send({ type: 'http.response.body', body: 'x' }).catch((e: Error) => outcomes.push(e.message));
    } else {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.start', status: 201 }).catch((e: Error) => outcomes.push(e.message));
    }
    respond(send, 200, TEXT, 'recovered'); // fast path after a start: throws → 500 or close
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /body-first HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 200);
    assert.is(res[0].body, 'recovered');
    assert.is(outcomes.length, 1);
    const d = await connect();
    await d.write('GET /two-starts HTTP/1.1\r\nHost: x\r\n\r\n');
    await d.waitEnded();
    assert.is(outcomes.length, 2);
    assert.not.ok(d.text.includes('recovered'));
  });
});

test('a throwing logger does not take the server down', async () => {
  const app: App = () => {
    throw new Error('boom');
  };
  const logger = {
    error: () => {
      throw new Error('logger broke');
    },
    warn: () => {},
    info: () => {},
  };
  await withServer(app, { logger }, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(1))[0].status, 500);
  });
});

test('the default logger writes the error to stderr', async () => {
  const { createServer } = await import('../../src/index.js');
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  const server = createServer(() => {
    throw new Error('to stderr');
  });
  try {
    await server.listen(0, '127.0.0.1');
    const { rawRequest } = await import('../helpers/raw.js');
    const r = await rawRequest(server.address().port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 1000 });
    assert.ok(r.data.startsWith('HTTP/1.1 500'));
  } finally {
    process.stderr.write = write;
    await server.close();
  }
  assert.ok(
    lines.some((l) => l.includes('to stderr')),
    lines.join(''),
  );
});

test.run();
