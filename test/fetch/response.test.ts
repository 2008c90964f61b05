// Responses out: one write for whole bodies, streams with backpressure, HEAD, header
// checks, and the FastResponse class itself.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { createFetchHandler, Response as FastResponse } from '../../src/fetch/index.js';
import { deferred, parseResponses, sleep, until, withServer, type ServerContext } from '../helpers/raw.js';

type Handler = (req: Request) => Response | Promise<Response>;
const NativeResponse = globalThis.Response;

function run(handler: Handler, fn: (ctx: ServerContext) => Promise<void>): Promise<void> {
  return withServer(createFetchHandler(handler), {}, fn);
}

async function ask(ctx: ServerContext, head: string): Promise<{ status: number; headers: Record<string, string>; body: string; raw: string }> {
  const { data } = await ctx.raw(head.replace(/\n/g, '\r\n') + '\r\n', { timeout: 2000 });
  const [r] = parseResponses(data);
  assert.ok(r, `no response: ${JSON.stringify(data)}`);
  return r;
}

// ---- writing ----------------------------------------------------------------------

const Out = suite('createFetchHandler: response out');

for (const [name, make] of [
  ['FastResponse, string', () => new FastResponse('{"a":1}', { headers: { 'content-type': 'application/json', 'x-n': '1' } })],
  ['FastResponse, bytes', () => new FastResponse(new Uint8Array([1, 2, 3]), { status: 201 })],
  ['FastResponse.json()', () => FastResponse.json({ ok: true }, { status: 202, headers: { 'x-n': '2' } })],
  ['real Response, string', () => new NativeResponse('plain text')],
  ['real Response, null body', () => new NativeResponse(null, { status: 204 })],
] as [string, () => Response][]) {
  Out(`${name}: one socket write for head and body`, async () => {
    await run(make, async (ctx) => {
      const c = await ctx.connect();
      await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      const [r] = await c.waitResponses(1);
      await sleep(20);
      assert.is(ctx.accepted[0].writes, 1, `writes for: ${JSON.stringify(r.raw)}`);
      const expected = make();
      assert.is(r.status, expected.status);
      assert.is(r.body, Buffer.from(await expected.arrayBuffer()).toString('latin1'));
      if (expected.body !== null) assert.is(r.headers['content-length'], String(Buffer.byteLength(r.body, 'latin1')));
    });
  });
}

Out('default Content-Type as @hono/node-server writes it; an app-set one wins', async () => {
  await run(
    (req) => {
      const p = new URL(req.url).pathname;
      if (p === '/s') return new FastResponse('text');
      if (p === '/set') return new FastResponse('text', { headers: { 'Content-Type': 'text/html' } });
      if (p === '/form') return new FastResponse(new URLSearchParams({ a: '1' }));
      return new FastResponse(null);
    },
    async (ctx) => {
      assert.is((await ask(ctx, 'GET /s HTTP/1.1\nHost: h\nConnection: close\n')).headers['content-type'], 'text/plain; charset=UTF-8');
      assert.is((await ask(ctx, 'GET /set HTTP/1.1\nHost: h\nConnection: close\n')).headers['content-type'], 'text/html');
      const form = await ask(ctx, 'GET /form HTTP/1.1\nHost: h\nConnection: close\n');
      assert.is(form.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
      assert.is(form.body, 'a=1');
      assert.is((await ask(ctx, 'GET /null HTTP/1.1\nHost: h\nConnection: close\n')).headers['content-type'], undefined);
    },
  );
});

Out("Set-Cookie fields stay separate; Content-Length, Transfer-Encoding and Date set by the app are the transport's", async () => {
  await run(
    () => {
      const h = new Headers([
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['content-length', '999'],
        ['transfer-encoding', 'chunked'],
        ['date', 'yesterday'],
      ]);
      return new FastResponse('four', { headers: h });
    },
    async (ctx) => {
      const r = await ask(ctx, 'GET / HTTP/1.1\nHost: h\nConnection: close\n');
      assert.is(r.body, 'four');
      assert.is(r.headers['content-length'], '4');
      assert.is(r.headers['transfer-encoding'], undefined);
      assert.is((r.raw.match(/^set-cookie: /gim) ?? []).length, 2);
      assert.is((r.raw.match(/^date: /gim) ?? []).length, 1);
    },
  );
});

Out('a header value with CR/LF is refused (500), nothing of it is sent', async () => {
  await run(
    () => new FastResponse('x', { headers: { 'x-evil': 'a\r\nset-cookie: owned=1' } }),
    async (ctx) => {
      const r = await ask(ctx, 'GET / HTTP/1.1\nHost: h\nConnection: close\n');
      assert.is(r.status, 500);
      assert.not.match(r.raw, /owned/);
    },
  );
});

Out('Connection: close set by the app closes the connection after the response', async () => {
  await run(
    () => new FastResponse('bye', { headers: { connection: 'close' } }),
    async (ctx) => {
      const c = await ctx.connect();
      await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      const [r] = await c.waitResponses(1);
      assert.is(r.body, 'bye');
      await c.waitEnded();
    },
  );
});

Out("HEAD: no body; the app's Content-Length kept, none made up", async () => {
  await run(
    (req) => {
      const p = new URL(req.url).pathname;
      if (p === '/len') return new FastResponse(null, { headers: { 'content-length': '42', 'content-type': 'text/plain' } });
      if (p === '/body') return new FastResponse('a body the transport counts');
      return new FastResponse(null, { headers: { 'content-type': 'text/plain' } });
    },
    async (ctx) => {
      const c = await ctx.connect();
      c.bodyless = () => true;
      await c.write('HEAD /len HTTP/1.1\r\nHost: h\r\n\r\nHEAD /body HTTP/1.1\r\nHost: h\r\n\r\nHEAD /none HTTP/1.1\r\nHost: h\r\n\r\n');
      const rs = await c.waitResponses(3);
      assert.is(rs[0].headers['content-length'], '42');
      assert.is(rs[1].headers['content-length'], '27');
      assert.is(rs[2].headers['content-length'], undefined);
      await sleep(20);
      assert.ok(!c.text.includes('a body'), 'no body bytes on the wire');
    },
  );
});

Out('a platform Response whose stream is complete at once goes out whole with a Content-Length', async () => {
  await run(
    () =>
      new NativeResponse(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('abc'));
            c.enqueue(new TextEncoder().encode('def'));
            c.close();
          },
        }),
      ),
    async (ctx) => {
      const r = await ask(ctx, 'GET / HTTP/1.1\nHost: h\nConnection: close\n');
      assert.is(r.body, 'abcdef');
      assert.is(r.headers['content-length'], '6');
    },
  );
});

Out('a light Response stream goes out chunked even when complete at once (as @hono/node-server and srvx send it)', async () => {
  await run(
    () =>
      new FastResponse(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('abc'));
            c.close();
          },
        }),
      ),
    async (ctx) => {
      const r = await ask(ctx, 'GET / HTTP/1.1\nHost: h\nConnection: close\n');
      assert.is(r.body, 'abc');
      assert.is(r.headers['transfer-encoding'], 'chunked');
      assert.is(r.headers['content-length'], undefined);
    },
  );
});

Out('a slow stream: head at once, then chunks as they come (chunked)', async () => {
  const next = deferred();
  await run(
    () =>
      new FastResponse(
        new ReadableStream({
          async pull(c) {
            await next.promise;
            c.enqueue(new TextEncoder().encode('late'));
            c.close();
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      ),
    async (ctx) => {
      const c = await ctx.connect();
      await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      await c.waitFor(() => c.text.includes('\r\n\r\n'), 2000, 'the head');
      assert.match(c.text, /transfer-encoding: chunked/);
      assert.match(c.text, /content-type: text\/event-stream/);
      next.resolve();
      const [r] = await c.waitResponses(1);
      assert.is(r.body, 'late');
    },
  );
});

Out('streaming backpressure: a client that does not read stops the stream being pulled', async () => {
  let pulled = 0;
  const chunk = new Uint8Array(64 * 1024);
  await run(
    () =>
      new FastResponse(
        new ReadableStream(
          {
            pull(c) {
              pulled++;
              if (pulled > 2000) c.close();
              else c.enqueue(chunk);
            },
          },
          { highWaterMark: 0 },
        ),
      ),
    async (ctx) => {
      const s = net.connect({ port: ctx.port, host: '127.0.0.1' });
      await new Promise((r) => s.once('connect', r));
      s.pause();
      s.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      await sleep(400);
      const stalled = pulled;
      await sleep(200);
      assert.ok(pulled < 600, `pulled ${pulled} chunks of 64 KiB into a client that reads nothing`);
      assert.ok(pulled - stalled <= 2, `still pulling: ${stalled} → ${pulled}`);
      s.destroy();
    },
  );
});

Out('a platform Response whose stream errors before any byte: 500; after the head: the connection is closed', async () => {
  await run(
    (req) => {
      const late = new URL(req.url).pathname === '/late';
      return new NativeResponse(
        new ReadableStream({
          async pull(c) {
            if (late) {
              c.enqueue(new TextEncoder().encode('partial'));
              await sleep(20);
            }
            throw new Error('stream broke');
          },
        }),
      );
    },
    async (ctx) => {
      const early = await ask(ctx, 'GET /early HTTP/1.1\nHost: h\nConnection: close\n');
      assert.is(early.status, 500);
      const { data, closed } = await ctx.raw('GET /late HTTP/1.1\r\nHost: h\r\n\r\n', { timeout: 2000 });
      assert.ok(closed, 'connection closed');
      assert.match(data, /partial/);
      assert.not.match(data, /0\r\n\r\n$/, 'no last chunk: the response is visibly cut');
      assert.ok(
        ctx.logs.some((l) => l.level === 'error'),
        'reported through the logger',
      );
    },
  );
});

Out('a client that leaves cancels the stream', async () => {
  let cancelled: unknown = null;
  await run(
    () =>
      new FastResponse(
        new ReadableStream({
          pull: async (c) => {
            await sleep(5);
            c.enqueue(new TextEncoder().encode('tick'));
          },
          cancel(reason) {
            cancelled = reason ?? 'cancelled';
          },
        }),
      ),
    async (ctx) => {
      const c = await ctx.connect();
      await c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
      await c.waitFor(() => c.text.includes('tick'), 2000, 'a first chunk');
      c.destroy();
      await until(() => cancelled !== null, 2000, 'the stream to be cancelled');
    },
  );
  assert.is((cancelled as Error).name, 'AbortError');
});

Out('Blob bodies; a handler that returns no Response is a 500', async () => {
  await run(
    (req) => {
      if (new URL(req.url).pathname === '/blob') return new FastResponse(new Blob(['blob!'], { type: 'text/x-blob' }));
      return 'not a response' as unknown as Response;
    },
    async (ctx) => {
      const b = await ask(ctx, 'GET /blob HTTP/1.1\nHost: h\nConnection: close\n');
      assert.is(b.body, 'blob!');
      assert.is(b.headers['content-type'], 'text/x-blob');
      assert.is((await ask(ctx, 'GET /bad HTTP/1.1\nHost: h\nConnection: close\n')).status, 500);
    },
  );
});

Out.run();

// ---- FastResponse -----------------------------------------------------------------

const Fast = suite('Response (FastResponse)');

Fast('is a Response; real Responses are FastResponse instances too', () => {
  const r = new FastResponse('x');
  assert.ok(r instanceof NativeResponse);
  assert.ok(r instanceof FastResponse);
  assert.ok(new NativeResponse('y') instanceof FastResponse);
  assert.is(Object.prototype.toString.call(r), '[object Response]');
});

Fast('checks its init as the real constructor does', () => {
  assert.throws(() => new FastResponse('x', { status: 99 }), RangeError);
  assert.throws(() => new FastResponse('x', { status: 600 }), RangeError);
  assert.throws(() => new FastResponse('x', { status: 204 }), TypeError);
  assert.throws(() => FastResponse.redirect('http://a.test/', 200), RangeError);
  assert.throws(() => FastResponse.json(undefined), TypeError);
});

Fast('status, ok, statusText, headers without a real Response; the rest through one', async () => {
  const r = new FastResponse('{"a":1}', { status: 201, statusText: 'Made', headers: { 'x-a': '1' } });
  assert.equal([r.status, r.ok, r.statusText, r.headers.get('x-a'), r.headers.get('content-type')], [201, true, 'Made', '1', 'text/plain; charset=UTF-8']);
  r.headers.set('x-b', '2');
  assert.equal(await r.json(), { a: 1 });
  assert.ok(r.bodyUsed);
  assert.is(r.headers.get('x-b'), '2');
  assert.is(r.type, 'default');
  const copy = new FastResponse(null, r);
  assert.equal([copy.status, copy.headers.get('x-b')], [201, '2']);
});

Fast('json() and redirect()', async () => {
  const j = FastResponse.json({ n: 1 }, { headers: { 'x-y': 'z' } });
  assert.equal([j.headers.get('content-type'), j.headers.get('x-y'), await j.text()], ['application/json', 'z', '{"n":1}']);
  const r = FastResponse.redirect('http://a.test/b', 307);
  assert.equal([r.status, r.headers.get('location')], [307, 'http://a.test/b']);
});

Fast.run();
