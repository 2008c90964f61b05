// Ill-formed requests (RFC 9112 §2.2, §3, §5, §6.3): a clear status, then the
// connection closes, and nothing that follows on that connection is ever answered (a
// request smuggled behind a bad one must not reach the app).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { sleep, withServer, type ServerContext } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const AFTER = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

interface Case {
  name: string;
  request: string;
  status: number;
}

const CASES: Case[] = [
  { name: 'Content-Length with Transfer-Encoding', status: 400, request: 'POST /bad HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' },
  {
    name: 'Transfer-Encoding with Content-Length (other order)',
    status: 400,
    request: 'POST /bad HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
  },
  { name: 'two different Content-Lengths', status: 400, request: 'POST /bad HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde' },
  { name: 'a Content-Length list', status: 400, request: 'POST /bad HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 5\r\n\r\nabcde' },
  { name: 'a non-numeric Content-Length', status: 400, request: 'POST /bad HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nabcde' },
  { name: 'Transfer-Encoding other than chunked last', status: 400, request: 'POST /bad HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n' },
  { name: 'obs-fold (a continuation line)', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: x\r\nX-Folded: one\r\n two\r\n\r\n' },
  { name: 'bare CR inside a header value', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n' },
  { name: 'bare CR as a line end', status: 400, request: 'GET /bad HTTP/1.1\rHost: x\r\n\r\n' },
  { name: 'bare LF as a line end', status: 400, request: 'GET /bad HTTP/1.1\nHost: x\n\n' },
  { name: 'NUL in a header value', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n' },
  { name: 'NUL in a header name', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: x\r\nX-\0A: b\r\n\r\n' },
  { name: 'whitespace between field name and colon', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n' },
  { name: 'a header line without a colon', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n' },
  { name: 'a space in the request target', status: 400, request: 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'missing Host on HTTP/1.1', status: 400, request: 'GET /bad HTTP/1.1\r\nX-A: b\r\n\r\n' },
  { name: 'two Host headers', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' },
  { name: 'two identical Host headers', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n' },
  { name: 'a header line ending in bare LF', status: 400, request: 'GET /bad HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n' },
  { name: 'garbage after the version', status: 400, request: 'GET /bad HTTP/1.1x\r\nHost: x\r\n\r\n' },
  { name: 'a non-digit version', status: 400, request: 'GET /bad HTTP/x.1\r\nHost: x\r\n\r\n' },
  { name: 'an invalid chunk size', status: 400, request: 'POST /bad HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n' },
  { name: 'a chunk without its CRLF', status: 400, request: 'POST /bad HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n' },
  { name: 'an unknown method', status: 501, request: 'FOO /bad HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'a lowercase method', status: 501, request: 'get /bad HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'HTTP/2.0', status: 505, request: 'GET /bad HTTP/2.0\r\nHost: x\r\n\r\n' },
  { name: 'HTTP/1.2', status: 505, request: 'GET /bad HTTP/1.2\r\nHost: x\r\n\r\n' },
  { name: 'HTTP/0.9-style version', status: 505, request: 'GET /bad HTTP/0.9\r\nHost: x\r\n\r\n' },
  { name: 'CONNECT (not a proxy)', status: 405, request: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n' },
];

/** Reads the whole body before answering (so a bad body is found before any response). */
function recorder(paths: string[]): App {
  return async (scope, receive, send) => {
    paths.push(scope.path);
    for (;;) {
      const m = await receive();
      if (m.type === 'http.disconnect') return;
      if (!m.moreBody) break;
    }
    respond(send, 200, TEXT, 'ok');
  };
}

async function expectRejected(ctx: ServerContext, paths: string[], cs: Case, split: boolean): Promise<void> {
  const c = await ctx.connect();
  await c.write(cs.request + AFTER, split ? { split: 1, gap: 0 } : {});
  await c.waitEnded(3000);
  await sleep(20);
  const res = c.responses();
  const label = `${cs.name}${split ? ' (byte by byte)' : ''}`;
  assert.is(res.length, 1, `${label}: exactly one response, got ${JSON.stringify(c.text)}`);
  assert.is(res[0].status, cs.status, `${label}: status`);
  assert.is(res[0].headers.connection, 'close', `${label}: connection: close`);
  assert.not.ok(paths.includes('/smuggled'), `${label}: the request behind it reached the app`);
  assert.not.ok(c.text.includes('\r\n\r\nok'), `${label}: the app answered`);
}

for (const cs of CASES) {
  test(`${cs.name} → ${cs.status}, close, nothing after it answered`, async () => {
    const paths: string[] = [];
    await withServer(recorder(paths), {}, async (ctx) => {
      await expectRejected(ctx, paths, cs, false);
      await expectRejected(ctx, paths, cs, true);
      // rejected in the head: the app never ran; a bad body is found after dispatch
      if (!/chunk/.test(cs.name)) assert.equal(paths, [], 'the ill-formed request never reached the app');
    });
  });
}

test('a valid request before a bad one is answered first (without connection: close), then the error', async () => {
  const paths: string[] = [];
  const app: App = async (scope, _receive, send) => {
    paths.push(scope.path);
    await sleep(30); // still answering when the bad request is parsed
    respond(send, 200, TEXT, 'ok');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write('GET /good HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' + AFTER);
    await c.waitEnded();
    const res = c.responses();
    assert.equal(
      res.map((r) => r.status),
      [200, 400],
    );
    assert.is(res[0].headers.connection, undefined, 'more follows it, so it must not announce close');
    assert.is(res[1].headers.connection, 'close');
    assert.equal(paths, ['/good']);
  });
});

test('a request smuggled in a body that is rejected is never parsed as a request', async () => {
  const paths: string[] = [];
  await withServer(recorder(paths), {}, async ({ connect }) => {
    const c = await connect();
    // CL.TE: a front end honouring Content-Length would forward all of it as one request.
    await c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitEnded();
    assert.is(c.responses().length, 1);
    assert.equal(paths, []);
  });
});

test('the server survives garbage and keeps serving other connections', async () => {
  const paths: string[] = [];
  await withServer(recorder(paths), {}, async ({ connect, raw }) => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 0xff;
    const r = await raw(junk);
    assert.ok(r.data === '' || r.data.startsWith('HTTP/1.1 4') || r.data.startsWith('HTTP/1.1 5'), r.data.slice(0, 30));
    assert.ok(r.closed);
    const c = await connect();
    await c.write('GET /fine HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.is((await c.waitResponses(1))[0].status, 200);
  });
});

test.run();
