// How responses are framed and what the transport adds to them: chunked when the
// length is unknown on HTTP/1.1, close-delimited on HTTP/1.0, a cached Date, and no
// Server field unless configured.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders, Faster, Response } from '../../src/index.js';
import { createFetchHandler, Response as FastResponse } from '../../src/fetch/index.js';
import type { App } from '../../src/types.js';
import { sleep, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

/** Streams "one", "two", "three" as three body messages, then ends. */
const streaming: App = async (_scope, _receive, send) => {
  await send({ type: 'http.response.start', status: 200, headers: { 'content-type': 'text/plain' } });
  await send({ type: 'http.response.body', body: 'one', moreBody: true });
  await sleep(5);
  await send({ type: 'http.response.body', body: Buffer.from('two'), moreBody: true });
  await send({ type: 'http.response.body', body: 'three', moreBody: false });
};

test('HTTP/1.1 response without a length goes out chunked, with exact chunk framing', async () => {
  await withServer(streaming, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].headers['transfer-encoding'], 'chunked');
    assert.is(res[0].headers['content-length'], undefined);
    const body = c.text.slice(c.text.indexOf('\r\n\r\n') + 4);
    assert.is(body, '3\r\none\r\n3\r\ntwo\r\n5\r\nthree\r\n0\r\n\r\n');
    assert.is(res[0].body, 'onetwothree');
    // and the connection is still usable
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(2))[1].body, 'onetwothree');
  });
});

test('empty body messages in a stream add no empty chunk (which would end the body early)', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'a', moreBody: true });
    await send({ type: 'http.response.body', body: '', moreBody: true });
    await send({ type: 'http.response.body', body: 'b', moreBody: true });
    await send({ type: 'http.response.body', moreBody: false });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitResponses(1);
    assert.ok(c.text.endsWith('\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n'), JSON.stringify(c.text));
  });
});

test('a single body message gets content-length, not chunked', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 201, headers: [['x-a', '1']] });
    await send({ type: 'http.response.body', body: 'created' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 201);
    assert.is(res[0].headers['content-length'], '7');
    assert.is(res[0].headers['transfer-encoding'], undefined);
    assert.is(res[0].headers['x-a'], '1');
  });
});

test('an app-supplied content-length is used as is, with no second framing field', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: { 'content-length': '6' } });
    await send({ type: 'http.response.body', body: 'abc', moreBody: true });
    await send({ type: 'http.response.body', body: 'def' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].headers['content-length'], '6');
    assert.is(res[0].headers['transfer-encoding'], undefined);
    assert.is(res[0].body, 'abcdef');
  });
});

test('HTTP/1.0 response without a length is close-delimited: no chunked, connection closed after it', async () => {
  await withServer(streaming, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await c.waitEnded();
    const res = c.responses();
    assert.is(res.length, 1);
    assert.is(res[0].headers['transfer-encoding'], undefined);
    assert.is(res[0].headers['content-length'], undefined);
    assert.is(res[0].headers.connection, 'close', 'keep-alive was asked for but cannot be kept');
    assert.is(res[0].body, 'onetwothree');
  });
});

test('large streamed bodies (past the write slab) are framed correctly', async () => {
  const part = Buffer.alloc(100 * 1024, 0x7a);
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: part, moreBody: true });
    await send({ type: 'http.response.body', body: part, moreBody: true });
    await send({ type: 'http.response.body', body: 'end' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2, 4000);
    for (const r of res) {
      assert.is(r.body.length, 2 * part.length + 3);
      assert.ok(r.body.endsWith('zzend'));
    }
  });
});

test('content-length counts bytes, not characters (UTF-8 bodies on both paths)', async () => {
  const text = 'héllo wörld €';
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/fast') return respond(send, 200, TEXT, text);
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: text });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /asgi HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    for (const r of res) {
      assert.is(r.headers['content-length'], String(Buffer.byteLength(text)));
      assert.is(Buffer.from(r.body, 'latin1').toString('utf8'), text);
    }
  });
});

test('repeated response fields (array values, pair lists) go out as separate lines, in order', async () => {
  const app: App = async (scope, _receive, send) => {
    const headers =
      scope.path === '/record'
        ? { 'set-cookie': ['a=1', 'b=2'], 'x-n': 5 }
        : ([
            ['set-cookie', 'a=1'],
            ['x-n', '5'],
            ['set-cookie', 'b=2'],
          ] as [string, string][]);
    await send({ type: 'http.response.start', status: 200, headers });
    await send({ type: 'http.response.body', body: '' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /record HTTP/1.1\r\nHost: x\r\n\r\nGET /pairs HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    assert.equal(
      res[0].raw.split('\r\n').filter((l) => /^(set-cookie|x-n):/i.test(l)),
      ['set-cookie: a=1', 'set-cookie: b=2', 'x-n: 5'],
    );
    assert.equal(
      res[1].raw.split('\r\n').filter((l) => /^(set-cookie|x-n):/i.test(l)),
      ['set-cookie: a=1', 'x-n: 5', 'set-cookie: b=2'],
    );
    assert.is(res[0].headers['content-length'], '0');
  });
});

test('ASGI start fields of any size, one exchange after another: each response has exactly its own (issue 13)', async () => {
  // The fields are encoded into a buffer the pooled exchange keeps (response-head.ts FieldBytes):
  // a long block (past its first 256 bytes and the 256-byte copy loop) then short ones must not
  // leave a byte of the long one behind (requests in separate writes, then two in one).
  const long = 'v'.repeat(3000);
  const app: App = async (scope, _receive, send) => {
    const headers: [string, string][] =
      scope.path === '/long'
        ? [
            ['x-long', long],
            ['x-b', 'bb'],
          ]
        : [['x-s', scope.path.slice(1)]];
    await send({ type: 'http.response.start', status: 200, headers });
    await send({ type: 'http.response.body', body: scope.path });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    for (const path of ['/long', '/a', '/long', '/bc']) {
      await c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    }
    await c.write('GET /long HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(6);
    const fields = (r: (typeof res)[number]): string[] =>
      r.raw
        .split('\r\n\r\n')[0]!
        .split('\r\n')
        .filter((l) => /^x-/.test(l));
    assert.equal(
      res.map((r) => [fields(r), r.body]),
      [
        [[`x-long: ${long}`, 'x-b: bb'], '/long'],
        [['x-s: a'], '/a'],
        [[`x-long: ${long}`, 'x-b: bb'], '/long'],
        [['x-s: bc'], '/bc'],
        [[`x-long: ${long}`, 'x-b: bb'], '/long'],
        [['x-s: d'], '/d'],
      ],
    );
  });
});

test('an invalid status code is refused: the app error becomes a 500', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 99 });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(1))[0].status, 500);
  });
});

const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const IMF_FIXDATE = new RegExp(`^(${DAYS}), \\d{2} (${MONTHS}) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$`);

test('every response carries a well-formed, current Date (RFC 9110 §5.6.7 IMF-fixdate)', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 200, TEXT, 'x');
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    for (const r of res) {
      const d = r.headers.date;
      assert.ok(IMF_FIXDATE.test(d), `date: ${d}`);
      assert.ok(Math.abs(Date.parse(d) - Date.now()) < 3000, `date ${d} is within 3 s of now`);
      assert.is(r.raw.split('\r\n').filter((l) => /^date:/i.test(l)).length, 1, 'exactly one date line');
    }
  });
});

test('the cached Date moves on (refreshed about once a second)', async () => {
  const app: App = (_scope, _receive, send) => respond(send, 200, TEXT, 'x');
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = (await c.waitResponses(1))[0].headers.date;
    await sleep(2100);
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = (await c.waitResponses(2))[1].headers.date;
    assert.ok(Date.parse(second) - Date.parse(first) >= 1000, `${first} → ${second}`);
    assert.ok(Math.abs(Date.parse(second) - Date.now()) < 2000);
  });
});

test('no Server header by default, on both send paths and on error responses', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/fast') return respond(send, 200, TEXT, 'x');
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'y' });
  };
  await withServer(app, {}, async ({ connect, raw }) => {
    const c = await connect();
    await c.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /asgi HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    for (const r of res) assert.is(r.headers.server, undefined);
    const bad = await raw('GET / HTTP/1.1\r\n\r\n');
    assert.ok(bad.data.startsWith('HTTP/1.1 400'));
    assert.not.ok(/\r\nserver:/i.test(bad.data));
  });
});

test('serverHeader option adds exactly one Server field', async () => {
  const app: App = async (scope, _receive, send) => {
    if (scope.path === '/fast') return respond(send, 200, TEXT, 'x');
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'y', moreBody: true });
    await send({ type: 'http.response.body', body: 'z' });
  };
  await withServer(app, { serverHeader: 'fasterapi-test/1' }, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /asgi HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(2);
    for (const r of res) {
      assert.is(r.headers.server, 'fasterapi-test/1');
      assert.is(r.raw.split('\r\n').filter((l) => /^server:/i.test(l)).length, 1);
    }
  });
});

test('response header values with CR or LF are refused (no response splitting); the app error becomes a 500', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: { 'x-bad': 'a\r\nset-cookie: evil=1' } });
    await send({ type: 'http.response.body', body: 'never' });
  };
  await withServer(app, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.waitResponses(1);
    assert.is(res[0].status, 500);
    assert.not.ok(/set-cookie/i.test(c.text));
    assert.ok(logs.some((l) => l.level === 'error'));
  });
});

// ---- framing stays the transport's (issue 11): what an app may set --------------------

/** GET /bad, then GET /ok on the same connection: the 500 is clean and the connection serves on. */
async function fiveHundredThenOk(app: App, what: string): Promise<void> {
  await withServer(app, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('GET /bad HTTP/1.1\r\nHost: x\r\n\r\n');
    const [r] = await c.waitResponses(1);
    assert.is(r.status, 500, what);
    assert.is(r.body, 'Internal Server Error', what);
    assert.not.ok(c.text.includes('never'), `${what}: no byte of the refused body`);
    assert.ok(
      logs.some((l) => l.level === 'error' && l.err instanceof TypeError),
      `${what}: logged`,
    );
    await c.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
    const rs = await c.waitResponses(2);
    assert.is(rs[1].body, 'ok', what);
    assert.is((c.text.match(/HTTP\/1\.1 /g) ?? []).length, 2, `${what}: two responses, nothing between them`);
  });
}

/** An app answering /ok with 200 'ok' and anything else with `bad` (after the head is parsed). */
function okOr(bad: (send: Parameters<App>[2]) => unknown): App {
  return async (scope, _receive, send) => {
    await Promise.resolve();
    if (scope.path === '/ok') return respond(send, 200, TEXT, 'ok');
    await bad(send);
  };
}

test('ASGI: a single body that disagrees with the app content-length → 500, nothing of it sent', async () => {
  for (const [cl, body] of [
    ['3', 'never-more'],
    ['30', 'never'],
  ]) {
    await fiveHundredThenOk(
      okOr(async (send) => {
        await send({ type: 'http.response.start', status: 200, headers: { 'content-length': cl } });
        await send({ type: 'http.response.body', body });
      }),
      `content-length ${cl}, body ${body.length}`,
    );
  }
});

test('ASGI: a streamed body past its content-length: not a byte past it, the connection is closed', async () => {
  const outcome: string[] = [];
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: { 'content-length': '6' } });
    await send({ type: 'http.response.body', body: 'abc', moreBody: true });
    await send({ type: 'http.response.body', body: 'defNEVER', moreBody: true }).catch((e: Error) => outcome.push(e.message));
    throw new Error('app gives up');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    assert.ok(c.text.endsWith('\r\n\r\nabc'), JSON.stringify(c.text));
    assert.not.ok(c.text.includes('NEVER'));
    assert.is((c.text.match(/HTTP\/1\.1 /g) ?? []).length, 1, 'the pipelined second request is never answered on this connection');
    assert.ok(outcome.length >= 1, 'the send past the length was refused (the pipelined app may see the same)');
    assert.ok(outcome[0].includes('content-length 6'), outcome[0]);
  });
});

test('ASGI: a streamed body that ends short of its content-length: the connection is closed at once', async () => {
  const outcome: string[] = [];
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: { 'content-length': '10' } });
    await send({ type: 'http.response.body', body: 'abc', moreBody: true });
    await send({ type: 'http.response.body', body: 'def' }).catch((e: Error) => outcome.push(e.message));
    // The app swallows the error and returns: the client must still not wait for 4 more bytes.
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    assert.ok(c.text.endsWith('\r\n\r\nabc'), JSON.stringify(c.text));
    assert.is(outcome.length, 1);
  });
});

test('ASGI: an app content-length that matches, streamed or whole, HEAD or not, is kept as is', async () => {
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [['content-length', ' 6 ']] });
    await send({ type: 'http.response.body', body: 'abc', moreBody: true });
    await send({ type: 'http.response.body', body: 'def' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    c.bodyless = (i) => i === 1;
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const rs = await c.waitResponses(3);
    assert.equal(
      rs.map((r) => [r.status, r.body, r.headers['content-length']]),
      [
        [200, 'abcdef', '6'],
        [200, '', '6'],
        [200, 'abcdef', '6'],
      ],
    );
  });
});

test('ASGI: content-length that is not 1*DIGIT, or given twice → 500', async () => {
  for (const headers of [
    { 'content-length': '-1' },
    { 'content-length': '0x10' },
    { 'content-length': '5, 5' },
    [
      ['content-length', '5'],
      ['Content-Length', '5'],
    ],
  ] as const) {
    await fiveHundredThenOk(
      okOr(async (send) => {
        await send({ type: 'http.response.start', status: 200, headers: headers as never });
        await send({ type: 'http.response.body', body: 'never' });
      }),
      JSON.stringify(headers),
    );
  }
});

test("ASGI: app transfer-encoding: chunked is the transport's to apply: chunked when streamed, content-length when whole, never raw", async () => {
  const app: App = async (scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: { 'Transfer-Encoding': ' Chunked' } });
    if (scope.path === '/whole') return send({ type: 'http.response.body', body: 'whole' });
    await send({ type: 'http.response.body', body: 'one', moreBody: true });
    await send({ type: 'http.response.body', body: 'two' });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /whole HTTP/1.1\r\nHost: x\r\n\r\n');
    const rs = await c.waitResponses(2);
    assert.is(rs[0].body, 'onetwo');
    assert.ok(rs[0].raw.endsWith('\r\n\r\n3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n'), JSON.stringify(rs[0].raw));
    assert.is(rs[0].raw.split('\r\n').filter((l) => /^transfer-encoding:/i.test(l)).length, 1, 'one transfer-encoding field');
    assert.is(rs[1].body, 'whole');
    assert.is(rs[1].headers['content-length'], '5');
    assert.is(rs[1].headers['transfer-encoding'], undefined);
  });
  // HTTP/1.0 gets no transfer coding at all (RFC 9112 §6.1): close-delimited.
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /stream HTTP/1.0\r\n\r\n');
    await c.waitEnded();
    assert.not.ok(/transfer-encoding/i.test(c.text));
    assert.ok(c.text.endsWith('\r\n\r\nonetwo'));
  });
});

test('ASGI: any transfer coding other than chunked → 500 (the body would be mislabelled)', async () => {
  for (const te of ['gzip', 'gzip, chunked', 'identity', 'chunked, chunked']) {
    await fiveHundredThenOk(
      okOr(async (send) => {
        await send({ type: 'http.response.start', status: 200, headers: { 'transfer-encoding': te } });
        await send({ type: 'http.response.body', body: 'never' });
      }),
      te,
    );
  }
});

test('ASGI: a body that is not a string or bytes → 500 before the head, close after it', async () => {
  for (const body of [5, { length: 5 }, ['never'], true]) {
    await fiveHundredThenOk(
      okOr(async (send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: body as never });
      }),
      `body ${JSON.stringify(body)}`,
    );
  }
  const app: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'abc', moreBody: true });
    await send({ type: 'http.response.body', body: { length: 3 } as never, moreBody: true });
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    assert.ok(c.text.endsWith('\r\n\r\n3\r\nabc\r\n'), JSON.stringify(c.text));
  });
});

test('fast path: encodeHeaders content-length must match the body; chunked is dropped; other codings throw at start-up', async () => {
  const CL3 = encodeHeaders({ 'content-type': 'text/plain', 'content-length': '3' });
  const CHUNKED_HEAD = encodeHeaders({ 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
  assert.throws(
    () => encodeHeaders({ 'transfer-encoding': 'gzip' }),
    (e: Error) => e instanceof TypeError && e.message.includes('transfer-encoding'),
  );
  assert.throws(
    () => encodeHeaders({ 'content-length': 'abc' }),
    (e: Error) => e instanceof TypeError && e.message.includes('content-length'),
  );
  await fiveHundredThenOk(
    okOr((send) => respond(send, 200, CL3, 'never')),
    'fast content-length 3, body 5',
  );
  await fiveHundredThenOk(
    okOr((send) => respond(send, 200, CL3, null)),
    'fast content-length 3, no body',
  );
  const app: App = async (scope, _receive, send) => {
    await Promise.resolve();
    if (scope.path === '/cl') return respond(send, 200, CL3, 'abc');
    respond(send, 200, CHUNKED_HEAD, 'whole');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    c.bodyless = (i) => i === 1;
    await c.write('GET /cl HTTP/1.1\r\nHost: x\r\n\r\nHEAD /cl HTTP/1.1\r\nHost: x\r\n\r\nGET /te HTTP/1.1\r\nHost: x\r\n\r\n');
    const rs = await c.waitResponses(3);
    assert.equal(
      rs.map((r) => [r.body, r.headers['content-length'], r.headers['transfer-encoding']]),
      [
        ['abc', '3', undefined],
        ['', '3', undefined],
        ['whole', '5', undefined],
      ],
    );
    assert.is(rs[0].raw.split('\r\n').filter((l) => /^content-length:/i.test(l)).length, 1);
  });
});

test('fast path: a body that is not a string, bytes or null → 500', async () => {
  for (const body of [5, { length: 5 }, ['never']]) {
    await fiveHundredThenOk(
      okOr((send) => respond(send, 200, TEXT, body as never)),
      `body ${JSON.stringify(body)}`,
    );
  }
});

test('Faster Response and the fetch adapter: an app content-length that disagrees → 500 or a cut connection', async () => {
  const app = new Faster({ logger: { error() {}, warn() {}, info() {} } });
  app.get('/ok', async () => 'ok');
  app.get('/bad', async () => new Response('never-more', { headers: { 'content-length': '3' } }));
  await fiveHundredThenOk(app.asgi, 'Faster Response content-length 3, body 10');
  // A fetch stream that outlasts its content-length: the head has gone, so the connection is cut.
  const fetchApp = createFetchHandler(() => {
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        await sleep(5); // not complete at once: streamed with the app's content-length
        if (n++ < 3) c.enqueue(new TextEncoder().encode('abcd'));
        else c.close();
      },
    });
    return new FastResponse(body, { headers: { 'content-length': '6' } });
  });
  await withServer(fetchApp, {}, async ({ connect, logs }) => {
    const c = await connect();
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    assert.ok(
      logs.some((l) => l.err instanceof TypeError && l.err.message.includes('content-length 6')),
      'the mismatch is logged',
    );
    assert.ok(/content-length: 6\r\n/i.test(c.text), JSON.stringify(c.text));
    const body = c.text.slice(c.text.indexOf('\r\n\r\n') + 4);
    assert.ok(body.length <= 6, `never more than the declared 6 bytes: ${JSON.stringify(body)}`);
  });
});

test.run();
