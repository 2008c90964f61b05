// Response splitting (issue 11): app-chosen header names and values on every path that
// writes them into a response head. Heads are written as latin1, which keeps the low byte
// of each UTF-16 code unit, so U+010D U+010A would become CR LF. On every path: no
// injected field and no second response on the wire, a 500 (or a TypeError at start-up)
// instead, the error logged naming the header, and the next request on the same
// keep-alive connection gets its own answer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, encodeHeaders, Faster, HTTPException, Response } from '../../src/index.js';
import { createFetchHandler, Response as FastResponse } from '../../src/fetch/index.js';
import type { App, Send } from '../../src/types.js';
import { type LogRecord, type RawClient, withServer } from '../helpers/raw.js';
import { available, startNginx, request } from '../proxies/harness.js';
import { respond } from '../../src/server/respond.js';

const EVIL = 'set-cookie: evil=1';
const CR_LF_WIDE = '\u010d\u010a'; // latin1: CR LF

/** Values that must never reach the wire: [label, value]. */
const BAD_VALUES: [string, string][] = [
  ['CR LF', `a\r\n${EVIL}`],
  ['LF', `a\n${EVIL}`],
  ['CR', `a\r${EVIL}`],
  ['NUL', 'a\0b'],
  ['0x01', 'a\x01b'],
  ['DEL', 'a\x7fb'],
  ['U+010D U+010A', `a${CR_LF_WIDE}${EVIL}`],
  ['U+0A0D U+0A0A', `a\u0a0d\u0a0a${EVIL}`],
  ['U+2028', 'a\u2028b'],
  ['a whole second response in U+010x', `a${CR_LF_WIDE}${CR_LF_WIDE}HTTP/1.1 200 OK${CR_LF_WIDE}${EVIL}${CR_LF_WIDE}content-length: 4${CR_LF_WIDE}${CR_LF_WIDE}evil`],
];
/** Names that are not tokens. */
const BAD_NAMES: [string, string][] = [
  ['space', 'x user'],
  ['colon', 'x:user'],
  ['empty', ''],
  ['CR LF', `x\r\n${EVIL}\r\nx-a`],
  ['U+010D U+010A', `x${CR_LF_WIDE}${EVIL}${CR_LF_WIDE}x-a`],
];

/** Every case as (name, value), with the name the log must mention. */
const CASES: { label: string; name: string; value: string }[] = [
  ...BAD_VALUES.map(([label, value]) => ({ label: `value ${label}`, name: 'x-user', value })),
  ...BAD_NAMES.map(([label, name]) => ({ label: `name ${label}`, name, value: 'v' })),
];

function caseIndex(path: string): number {
  const m = /^\/bad\/(\d+)$/.exec(path);
  return m === null ? -1 : Number(m[1]);
}

const OK_HEAD = encodeHeaders({ 'content-type': 'text/plain' });

/** Wraps a per-case app: /ok answers 200 'ok' on the fast path. */
function route(bad: (i: number, send: Send) => unknown): App {
  return async (scope, _receive, send) => {
    await Promise.resolve(); // after the whole head is parsed: a 500 may keep the connection
    const i = caseIndex(scope.path);
    if (i < 0) return respond(send, 200, OK_HEAD, 'ok');
    await bad(i, send);
  };
}

function assertNoInjection(c: RawClient, responses: number, what: string): void {
  const text = c.text;
  assert.not.ok(/(^|\n|\r)set-cookie/i.test(text), `${what}: injected field on the wire: ${JSON.stringify(text.slice(0, 400))}`);
  assert.is((text.match(/HTTP\/1\.1 \d{3}/g) ?? []).length, responses, `${what}: exactly ${responses} status line(s): ${JSON.stringify(text.slice(0, 400))}`);
  // Not a byte of a refused field: its latin1 form (wide code units cut to the low byte) is nowhere.
  assert.not.ok(text.includes('x-user'), `${what}: the refused field was written`);
}

/**
 * For each case: GET /bad/<i> → 500, no injection, the error logged naming the header;
 * then GET /ok on the same connection → its own 200 'ok'.
 */
async function probe(what: string, app: App, cases = CASES, expectLog = true): Promise<void> {
  await withServer(app, {}, async ({ connect, logs }) => {
    for (let i = 0; i < cases.length; i++) {
      const label = `${what}, ${cases[i].label}`;
      const before = logs.length;
      const c = await connect();
      await c.write(`GET /bad/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const [r] = await c.waitResponses(1);
      assert.is(r.status, 500, label);
      assertNoInjection(c, 1, label);
      if (expectLog) assertLogged(logs.slice(before), cases[i].name, label);
      assert.is(r.headers.connection, undefined, `${label}: the 500 keeps the connection`);
      await c.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
      const rs = await c.waitResponses(2);
      assert.is(rs[1].status, 200, label);
      assert.is(rs[1].body, 'ok', label);
      assertNoInjection(c, 2, label);
      c.destroy();
    }
  });
}

/** An error was logged whose message names the header (JSON-escaped, as fieldError shows it). */
function assertLogged(logs: LogRecord[], name: string, label: string): void {
  const errors = logs.filter((l) => l.level === 'error');
  assert.ok(errors.length >= 1, `${label}: an error is logged`);
  const shown = name === '' ? 'empty' : JSON.stringify(name);
  assert.ok(
    errors.some((l) => l.err instanceof TypeError && l.err.message.includes(shown)),
    `${label}: the logged TypeError names ${shown}: ${errors.map((l) => (l.err as Error)?.message).join(' | ')}`,
  );
}

const record = (c: { name: string; value: string }) => ({ [c.name]: c.value });
const pairs = (c: { name: string; value: string }): [string, string][] => [[c.name, c.value]];

// ---- the transport --------------------------------------------------------------

test('ASGI http.response.start, record headers', async () => {
  await probe(
    'ASGI record',
    route(async (i, send) => {
      await send({ type: 'http.response.start', status: 200, headers: record(CASES[i]) });
      await send({ type: 'http.response.body', body: 'never' });
    }),
  );
});

test('ASGI http.response.start, [name, value] pairs (and an array value in a record)', async () => {
  await probe(
    'ASGI pairs',
    route(async (i, send) => {
      await send({ type: 'http.response.start', status: 200, headers: pairs(CASES[i]) });
      await send({ type: 'http.response.body', body: 'never' });
    }),
  );
  await probe(
    'ASGI record array',
    route(async (i, send) => {
      await send({ type: 'http.response.start', status: 200, headers: { [CASES[i].name]: ['fine', CASES[i].value] } });
      await send({ type: 'http.response.body', body: 'never' });
    }),
  );
});

test('fast send(status, head, body) with a per-request encodeHeaders: TypeError → 500', async () => {
  await probe(
    'encodeHeaders per request',
    route((i, send) => respond(send, 200, encodeHeaders(record(CASES[i])), 'never')),
  );
});

test('encodeHeaders at start-up throws a TypeError naming the header', () => {
  for (const c of CASES) {
    for (const h of [record(c), pairs(c)]) {
      let err: unknown = null;
      try {
        encodeHeaders(h);
      } catch (e) {
        err = e;
      }
      assert.instance(err, TypeError, c.label);
      const shown = c.name === '' ? 'empty' : JSON.stringify(c.name);
      assert.ok((err as Error).message.includes(shown), `${c.label}: ${(err as Error).message}`);
      if (c.name === 'x-user') assert.not.ok((err as Error).message.includes('evil'), `${c.label}: the value is not in the message`);
    }
  }
});

test('serverHeader option: checked once at start-up', () => {
  for (const [label, value] of BAD_VALUES) {
    assert.throws(
      () => createServer(() => {}, { serverHeader: value }),
      (e: Error) => e instanceof TypeError && e.message.includes('"server"'),
      label,
    );
  }
});

test('status codes outside 100-999 or not integers → 500 on both send paths', async () => {
  const statuses: unknown[] = [99, 1000, 200.5, NaN, -1, '200 OK\r\nset-cookie: evil=1', '200'];
  const cases = statuses.map((s) => ({ label: `status ${JSON.stringify(String(s))}`, name: '', value: '' }));
  for (const path of ['fast', 'asgi']) {
    await probe(
      `${path} status`,
      route(async (i, send) => {
        const status = statuses[i] as number;
        // A non-number first argument is an ASGI message to send(): strings only on that path.
        if (path === 'fast') respond(send, typeof status === 'number' ? status : 1000, OK_HEAD, 'never');
        else {
          await send({ type: 'http.response.start', status });
          await send({ type: 'http.response.body', body: 'never' });
        }
      }),
      cases,
      false,
    );
  }
});

test('a sync throw while the request is still being parsed: 500, and a close only if announced', async () => {
  const app: App = (scope, _receive, send) => {
    const i = caseIndex(scope.path);
    if (i < 0) return respond(send, 200, OK_HEAD, 'ok');
    respond(send, 200, encodeHeaders(record(CASES[i])), 'never');
  };
  await withServer(app, {}, async ({ connect }) => {
    for (let i = 0; i < CASES.length; i++) {
      const c = await connect();
      await c.write(`GET /bad/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const [r] = await c.waitResponses(1);
      assert.is(r.status, 500);
      assertNoInjection(c, 1, CASES[i].label);
      if (r.headers.connection === 'close') await c.waitEnded();
      else {
        await c.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.is((await c.waitResponses(2))[1].body, 'ok');
      }
      c.destroy();
    }
  });
});

// ---- the app layer (Faster) --------------------------------------------------------

/** A Faster app whose /bad/:i handler returns (async) what `make` builds for CASES[i]. */
function faster(make: (i: number) => unknown): App {
  const app = new Faster({ logger: { error() {}, warn() {}, info() {} } });
  app.get('/ok', async () => 'ok');
  app.get('/bad/:i', async (req) => make(Number(req.pathParams.i)));
  return app.asgi;
}

test('Faster Response and Response.json headers', async () => {
  await probe(
    'Response',
    faster((i) => new Response('never', { headers: record(CASES[i]) })),
  );
  await probe(
    'Response pairs',
    faster((i) => new Response('never', { headers: pairs(CASES[i]) })),
  );
  await probe(
    'Response.json',
    faster((i) => Response.json({ never: true }, { headers: record(CASES[i]) })),
  );
});

test('Faster streamed Response (iterable body, ASGI path) headers', async () => {
  await probe(
    'streamed Response',
    faster((i) => new Response(['nev', 'er'], { headers: record(CASES[i]) })),
  );
});

test('Faster HTTPException headers', async () => {
  await probe(
    'HTTPException',
    faster((i) => {
      throw new HTTPException(401, 'no', record(CASES[i]));
    }),
  );
});

test('Faster Response.redirect with CR/LF/NUL/U+010D U+010A in the location', async () => {
  const cases = BAD_VALUES.map(([label, value]) => ({ label: `location ${label}`, name: 'location', value: `/next${value}` }));
  await probe(
    'Response.redirect',
    faster((i) => Response.redirect(cases[i].value)),
    cases,
  );
  await probe(
    'Response.redirect 301',
    faster((i) => Response.redirect(cases[i].value, 301, { headers: { 'x-a': '1' } })),
    cases,
  );
});

// ---- the fetch adapter ----------------------------------------------------------------

function fetchApp(make: (i: number) => globalThis.Response): App {
  return createFetchHandler((req) => {
    const i = caseIndex(new URL(req.url).pathname);
    return Promise.resolve().then(() => (i < 0 ? new FastResponse('ok') : make(i)));
  });
}

test('fetch adapter: FastResponse with record and pair headers', async () => {
  await probe(
    'FastResponse record',
    fetchApp((i) => new FastResponse('never', { headers: record(CASES[i]) })),
  );
  await probe(
    'FastResponse pairs',
    fetchApp((i) => new FastResponse('never', { headers: pairs(CASES[i]) })),
  );
  await probe(
    'FastResponse.json',
    fetchApp((i) => FastResponse.json({ never: true }, { headers: pairs(CASES[i]) })),
    CASES,
    false,
  );
});

test('fetch adapter: a real Response (undici Headers refuse some values themselves; 0x01 and DEL they let through)', async () => {
  // The handler may throw in the Headers constructor (logged without our field name) or
  // reach the writer (logged naming the header): either way a 500 and nothing injected.
  await probe(
    'native Response',
    fetchApp((i) => new globalThis.Response('never', { headers: pairs(CASES[i]) })),
    CASES,
    false,
  );
  const passes = BAD_VALUES.filter(([, v]) => {
    try {
      new Headers({ 'x-user': v });
      return true;
    } catch {
      return false;
    }
  });
  assert.equal(
    passes.map(([l]) => l),
    ['0x01', 'DEL'],
    'what undici Headers let through (the writer refuses them)',
  );
  const cases = passes.map(([label, value]) => ({ label: `value ${label}`, name: 'x-user', value }));
  await probe(
    'native Response past Headers',
    fetchApp((i) => new globalThis.Response('never', { headers: { 'x-user': cases[i].value } })),
    cases,
  );
});

test('fetch adapter: a streamed body takes the ASGI path with the same check', async () => {
  const stream = () =>
    new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new TextEncoder().encode('never'));
        c.close();
      },
    });
  await probe(
    'FastResponse stream',
    fetchApp((i) => new FastResponse(stream(), { headers: pairs(CASES[i]) })),
  );
});

// ---- through a real proxy ----------------------------------------------------------------

test('through nginx: client A tries the injection, client B on the same proxy gets only its own answer', async () => {
  if (!available('nginx injection test', ['nginx'])) return;
  const logs: LogRecord[] = [];
  const app = route(async (i, send) => {
    await send({ type: 'http.response.start', status: 200, headers: record(CASES[i]) });
    await send({ type: 'http.response.body', body: 'never' });
  });
  const wrapped: App = (scope, receive, send) => {
    if (scope.path.startsWith('/b/')) return respond(send, 200, OK_HEAD, `answer for ${scope.path}`);
    return app(scope, receive, send);
  };
  const server = createServer(wrapped, { logger: { error: (m, err) => void logs.push({ level: 'error', message: m, err }), warn() {}, info() {} } });
  await server.listen(0, '127.0.0.1');
  const proxy = await startNginx({ backendPort: server.address().port, tls: false }).catch(async (e) => {
    await server.close();
    throw e;
  });
  try {
    for (let i = 0; i < CASES.length; i++) {
      const [a, b] = await Promise.all([request(`${proxy.url}/api/bad/${i}`, { headers: { host: 'x' } }), request(`${proxy.url}/api/b/${i}`, { headers: { host: 'x' } })]);
      assert.is(a.status, 500, CASES[i].label);
      assert.is(a.headers['set-cookie'], undefined, CASES[i].label);
      assert.is(a.headers['x-user'], undefined, CASES[i].label);
      assert.not.ok(a.body.includes('never'), CASES[i].label);
      assert.is(b.status, 200, CASES[i].label);
      assert.is(b.body, `answer for /b/${i}`, `${CASES[i].label}: B gets its own answer`);
      assert.is(b.headers['set-cookie'], undefined, CASES[i].label);
    }
    // B asked again after all of A's attempts: still only its own answer.
    const again = await request(`${proxy.url}/api/b/last`, { headers: { host: 'x' } });
    assert.is(again.body, 'answer for /b/last');
    assert.ok(logs.length >= CASES.length, 'every refused header was logged');
  } finally {
    await proxy.stop();
    await server.close();
  }
});

test.run();
