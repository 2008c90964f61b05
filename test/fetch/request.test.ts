// The lazy Request a fetch handler receives: url, headers, body and signal over real
// sockets, raw bytes in.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { createFetchHandler, installGlobals } from '../../src/fetch/index.js';
import type { CreateServerOptions } from '../../src/create.js';
import { deferred, parseResponses, sleep, until, withServer, type ServerContext } from '../helpers/raw.js';

type Handler = (req: Request) => Response | Promise<Response>;

function run(handler: Handler, options: CreateServerOptions, fn: (ctx: ServerContext) => Promise<void>): Promise<void> {
  return withServer(createFetchHandler(handler), options, fn);
}

/** One request on its own connection (closed after), answer parsed. */
async function ask(ctx: ServerContext, head: string, body = ''): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { data } = await ctx.raw(head.replace(/\n/g, '\r\n') + '\r\n' + body, { timeout: 2000 });
  const [r] = parseResponses(data);
  assert.ok(r, `no response to ${JSON.stringify(head.split('\n')[0])}: ${JSON.stringify(data)}`);
  return r;
}

// ---- url --------------------------------------------------------------------------

const Url = suite('Request.url');

const echoUrl: Handler = (req) => new Response(req.url);

Url('Host header and origin-form target, query kept as received', async () => {
  await run(echoUrl, {}, async (ctx) => {
    const r = await ask(ctx, 'GET /a/b?x=1&y=%20z HTTP/1.1\nHost: example.com:8080\nConnection: close\n');
    assert.is(r.body, 'http://example.com:8080/a/b?x=1&y=%20z');
  });
});

Url('normalised like a real Request: dot segments, default port, uppercase host', async () => {
  await run(echoUrl, {}, async (ctx) => {
    assert.is((await ask(ctx, 'GET /a/../b/./c HTTP/1.1\nHost: example.com\nConnection: close\n')).body, 'http://example.com/b/c');
    assert.is((await ask(ctx, 'GET /x HTTP/1.1\nHost: EXAMPLE.com:80\nConnection: close\n')).body, 'http://example.com/x');
    assert.is((await ask(ctx, 'GET /%7Euser/{x} HTTP/1.1\nHost: h\nConnection: close\n')).body, new URL('http://h/%7Euser/{x}').href);
  });
});

Url('the kept origin: a Host with other bytes, scheme or form never gets the last one', async () => {
  // One origin is kept across requests (fetch/url.ts sameOrigin); each URL here must be
  // what the WHATWG URL parser makes of scheme://Host + target, whatever came before.
  await run(echoUrl, { forwardedHeaders: 'x-forwarded-proto,x-forwarded-host' }, async (ctx) => {
    const cases: [string, string][] = [
      ['a.test', ''],
      ['a.test', ''],
      ['a.tes', ''],
      ['a.test:8080', ''],
      ['A.TEST', ''],
      ['a.test', ''],
      ['a.test', 'X-Forwarded-Proto: https\n'],
      ['a.test:443', 'X-Forwarded-Proto: https\n'],
      ['a.test', 'X-Forwarded-Host: b.test\n'],
      ['b.test', ''],
    ];
    for (const [host, extra] of cases) {
      const scheme = extra.includes('https') ? 'https' : 'http';
      const shown = extra.includes('b.test') ? 'b.test' : host;
      const r = await ask(ctx, `GET /p?q=1 HTTP/1.1\nHost: ${host}\n${extra}Connection: close\n`);
      assert.is(r.body, new URL(`${scheme}://${shown}/p?q=1`).href, `${host} ${extra}`);
    }
    const abs = await ask(ctx, 'GET http://c.test/p HTTP/1.1\nHost: b.test\nConnection: close\n');
    assert.is(abs.body, 'http://c.test/p');
  });
});

Url('absolute-form target: its authority, not the Host header (RFC 9112 §3.2.2)', async () => {
  await run(echoUrl, {}, async (ctx) => {
    const r = await ask(ctx, 'GET http://origin.test:81/p?q HTTP/1.1\nHost: other.test\nConnection: close\n');
    assert.is(r.body, 'http://origin.test:81/p?q');
  });
});

Url('scheme, host and root path from a trusted proxy (loopback is trusted by default)', async () => {
  await run(echoUrl, { forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-prefix' }, async (ctx) => {
    const r = await ask(ctx, 'GET /users HTTP/1.1\nHost: 127.0.0.1\nX-Forwarded-Proto: https\nX-Forwarded-Host: api.example.com\nX-Forwarded-Prefix: /v1\nConnection: close\n');
    assert.is(r.body, 'https://api.example.com/v1/users');
  });
  await run(echoUrl, { trustedProxies: [], forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host' }, async (ctx) => {
    const r = await ask(ctx, 'GET /users HTTP/1.1\nHost: 127.0.0.1\nX-Forwarded-Proto: https\nX-Forwarded-Host: api.example.com\nConnection: close\n');
    assert.is(r.body, 'http://127.0.0.1/users', 'untrusted peer: forwarding headers ignored');
  });
});

Url('static rootPath is prefixed once', async () => {
  await run(echoUrl, { rootPath: '/api' }, async (ctx) => {
    assert.is((await ask(ctx, 'GET /items?a=1 HTTP/1.1\nHost: h\nConnection: close\n')).body, 'http://h/api/items?a=1');
    assert.is((await ask(ctx, 'GET /api/items HTTP/1.1\nHost: h\nConnection: close\n')).body, 'http://h/api/items');
  });
});

Url('a Host that would reshape the URL, or no path target: 400', async () => {
  await run(echoUrl, {}, async (ctx) => {
    assert.is((await ask(ctx, 'GET /x HTTP/1.1\nHost: evil.test/steal?\nConnection: close\n')).status, 400);
    assert.is((await ask(ctx, 'GET /x HTTP/1.1\nHost: user@evil.test\nConnection: close\n')).status, 400);
    assert.is((await ask(ctx, 'OPTIONS * HTTP/1.1\nHost: h\nConnection: close\n')).status, 400);
  });
});

Url('HTTP/1.0 without Host: the listening address', async () => {
  await run(echoUrl, {}, async (ctx) => {
    const r = await ask(ctx, 'GET /old HTTP/1.0\n');
    assert.is(r.body, `http://127.0.0.1:${ctx.port}/old`);
  });
});

Url.run();

// ---- the object -------------------------------------------------------------------

const Shape = suite('Request object');

Shape('is a Request to the handler; method and url without building a real one', async () => {
  let seen: unknown[] = [];
  await run(
    (req) => {
      seen = [req instanceof Request, Object.prototype.toString.call(req), req.method, req.bodyUsed, req.body === null, (req as Request & { duplex: string }).duplex];
      return new Response('ok');
    },
    {},
    async (ctx) => {
      await ask(ctx, 'GET / HTTP/1.1\nHost: h\nConnection: close\n');
    },
  );
  assert.equal(seen, [true, '[object Request]', 'GET', false, true, 'half']);
});

Shape('members not written by the adapter come from a real Request built once', async () => {
  let seen: unknown[] = [];
  await run(
    async (req) => {
      const copy = req.clone();
      seen = [req.cache, req.mode, req.redirect, copy.url, copy.headers.get('x-a'), await copy.text(), await req.text()];
      return new Response('ok');
    },
    {},
    async (ctx) => {
      await ask(ctx, 'POST /c HTTP/1.1\nHost: h\nX-A: 1\nContent-Length: 5\nConnection: close\n', 'hello');
    },
  );
  assert.equal(seen, ['default', 'cors', 'follow', 'http://h/c', '1', 'hello', 'hello']);
});

Shape('new Request(req) works once the globals are installed', async () => {
  const original = { Request: globalThis.Request, Response: globalThis.Response };
  installGlobals();
  try {
    const seen: unknown[] = [];
    await run(
      async (req) => {
        if (req.url.endsWith('/copy')) {
          const again = new Request(req);
          seen.push(again.url, again.method, await again.text());
        } else {
          // Hono's app.mount() does this: the lazy request as the init of another.
          const moved = new Request('http://elsewhere.test/x', req);
          seen.push(moved.method, moved.headers.get('x-b'), await moved.text());
        }
        return new Response('ok');
      },
      {},
      async (ctx) => {
        await ask(ctx, 'PUT /copy HTTP/1.1\nHost: h\nX-B: 2\nContent-Length: 3\nConnection: close\n', 'abc');
        await ask(ctx, 'PUT /move HTTP/1.1\nHost: h\nX-B: 2\nContent-Length: 3\nConnection: close\n', 'def');
      },
    );
    assert.equal(seen, ['http://h/copy', 'PUT', 'abc', 'PUT', '2', 'def']);
  } finally {
    Object.defineProperty(globalThis, 'Request', { value: original.Request, writable: true, configurable: true });
    Object.defineProperty(globalThis, 'Response', { value: original.Response, writable: true, configurable: true });
  }
});

Shape.run();

// ---- headers ----------------------------------------------------------------------

const Hdrs = suite('Request.headers');

Hdrs('get/has read the scope; iteration is a real Headers (sorted, lowercased, joined)', async () => {
  let seen: unknown[] = [];
  await run(
    (req) => {
      const h = req.headers;
      seen = [h instanceof Headers, h.get('X-Multi'), h.get('x-none'), h.has('ACCEPT'), [...h].map(([k]) => k).join(',')];
      return new Response('ok');
    },
    {},
    async (ctx) => {
      await ask(ctx, 'GET / HTTP/1.1\nHost: h\nX-Multi: a\nAccept: */*\nX-Multi: b\nConnection: close\n');
    },
  );
  assert.equal(seen, [true, 'a, b', null, true, 'accept,connection,host,x-multi']);
});

Hdrs('an invalid name throws as Headers.get does; set() and append() work', async () => {
  let seen: unknown[] = [];
  await run(
    (req) => {
      const h = req.headers;
      let threw = false;
      try {
        h.get('bad name');
      } catch (e) {
        threw = e instanceof TypeError;
      }
      h.set('x-added', '1');
      h.append('x-added', '2');
      seen = [threw, h.get('x-added'), h.get('host')];
      return new Response('ok');
    },
    {},
    async (ctx) => {
      await ask(ctx, 'GET / HTTP/1.1\nHost: h\nConnection: close\n');
    },
  );
  assert.equal(seen, [true, '1, 2', 'h']);
});

Hdrs('the pooled scope is reused after the response: what was read stays right', async () => {
  const kept: Request[] = [];
  await run(
    (req) => {
      kept.push(req);
      req.headers.get('x-id'); // touched while handling
      return new Response('ok');
    },
    {},
    async (ctx) => {
      const c = await ctx.connect();
      for (let i = 0; i < 3; i++) await c.write(`GET /${i} HTTP/1.1\r\nHost: h\r\nX-Id: ${i}\r\n\r\n`);
      await c.waitResponses(3);
    },
  );
  assert.equal(
    kept.map((r) => [r.url, r.headers.get('x-id')]),
    [
      ['http://h/0', '0'],
      ['http://h/1', '1'],
      ['http://h/2', '2'],
    ],
  );
});

Hdrs('headers first read after the response ended throw instead of reading another request', async () => {
  const kept: Request[] = [];
  await run(
    (req) => {
      kept.push(req);
      return new Response('ok');
    },
    {},
    async (ctx) => {
      const c = await ctx.connect();
      await c.write('GET /a HTTP/1.1\r\nHost: h\r\nX-Secret: first\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nX-Secret: second\r\n\r\n');
      await c.waitResponses(2);
    },
  );
  assert.is(kept[0].url, 'http://h/a', 'url is kept');
  assert.throws(() => kept[0].headers, /after the response ended/);
});

Hdrs.run();

// ---- body -------------------------------------------------------------------------

const Body = suite('Request body');

Body('text(), json(), arrayBuffer(), bytes(), blob() without a stream', async () => {
  const seen: unknown[] = [];
  await run(
    async (req) => {
      const kind = new URL(req.url).pathname.slice(1);
      if (kind === 'text') seen.push(await req.text());
      else if (kind === 'json') seen.push(await req.json());
      else if (kind === 'ab') seen.push(new Uint8Array(await req.arrayBuffer()).length);
      else if (kind === 'bytes') seen.push(Array.from(await req.bytes()));
      else if (kind === 'blob') {
        const b = await req.blob();
        seen.push([b.type, await b.text()]);
      }
      let again = '';
      try {
        await req.text();
      } catch (e) {
        again = (e as Error).name;
      }
      seen.push(req.bodyUsed, again);
      return new Response('ok');
    },
    {},
    async (ctx) => {
      // UTF-8 with a byte order mark, which text() drops as Fetch's UTF-8 decode does.
      const utf8 = Buffer.from('\ufeffhéllo!', 'utf8').toString('latin1');
      await ask(ctx, `POST /text HTTP/1.1\nHost: h\nContent-Length: ${utf8.length}\nConnection: close\n`, utf8);
      await ask(ctx, 'POST /json HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nConnection: close\n', '3\r\n{"a\r\n4\r\n":1}\r\n0\r\n\r\n');
      await ask(ctx, 'POST /ab HTTP/1.1\nHost: h\nContent-Length: 3\nConnection: close\n', 'abc');
      await ask(ctx, 'POST /bytes HTTP/1.1\nHost: h\nContent-Length: 2\nConnection: close\n', 'AB');
      await ask(ctx, 'POST /blob HTTP/1.1\nHost: h\nContent-Type: text/x-test\nContent-Length: 2\nConnection: close\n', 'ok');
    },
  );
  assert.equal(seen, ['héllo!', true, 'TypeError', { a: 1 }, true, 'TypeError', 3, true, 'TypeError', [65, 66], true, 'TypeError', ['text/x-test', 'ok'], true, 'TypeError']);
});

Body('Request.body streams chunks as they arrive; GET and HEAD have none', async () => {
  const arrivals: number[] = [];
  let total = 0;
  await run(
    async (req) => {
      if (req.method === 'GET') return new Response(String(req.body));
      const reader = req.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arrivals.push(value.length);
        total += value.length;
      }
      return new Response(String(total));
    },
    {},
    async (ctx) => {
      assert.is((await ask(ctx, 'GET / HTTP/1.1\nHost: h\nConnection: close\n')).body, 'null');
      const c = await ctx.connect();
      await c.write('POST /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n');
      for (let i = 0; i < 4; i++) {
        await c.write('5\r\nhello\r\n');
        await sleep(20);
      }
      await c.write('0\r\n\r\n');
      const [r] = await c.waitResponses(1);
      assert.is(r.body, '20');
    },
  );
  assert.ok(arrivals.length >= 4, `chunks delivered as they came: ${arrivals}`);
});

Body('backpressure: a handler that does not read stops the socket being read', async () => {
  const size = 16 * 1024 * 1024;
  const go = deferred();
  let received = 0;
  await run(
    async (req) => {
      void req.signal; // arms the disconnect watcher, which must not drain the body either
      await go.promise;
      for await (const chunk of req.body! as unknown as AsyncIterable<Uint8Array>) received += chunk.length;
      return new Response(String(received));
    },
    { maxBodySize: 2 * size },
    async (ctx) => {
      const c = await ctx.connect();
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      c.socket.write(`POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: ${size}\r\n\r\n`);
      for (let i = 0; i < size / chunk.length; i++) c.socket.write(chunk);
      await sleep(300);
      const queued = c.socket.writableLength;
      assert.ok(queued > 4 * 1024 * 1024, `the client still holds most of the body (${queued} bytes queued)`);
      go.resolve();
      const [r] = await c.waitResponses(1, 10_000);
      assert.is(r.body, String(size));
    },
  );
});

Body.run();

// ---- signal -----------------------------------------------------------------------

const Signal = suite('Request.signal');

Signal('aborts when the client leaves while the handler works', async () => {
  const aborted = deferred<string>();
  const started = deferred();
  await run(
    async (req) => {
      req.signal.addEventListener('abort', () => aborted.resolve((req.signal.reason as Error).name));
      started.resolve();
      await aborted.promise;
      return new Response('late');
    },
    {},
    async (ctx) => {
      const s = net.connect(ctx.port, '127.0.0.1');
      s.on('error', () => {});
      s.write('GET /slow HTTP/1.1\r\nHost: h\r\n\r\n');
      await started.promise;
      s.destroy();
      assert.is(await Promise.race([aborted.promise, sleep(2000).then(() => 'timeout')]), 'AbortError');
    },
  );
});

Signal('aborts during a body upload the client abandons; the body read fails', async () => {
  const seen: string[] = [];
  await run(
    async (req) => {
      req.signal.addEventListener('abort', () => seen.push('signal'));
      try {
        await req.text();
      } catch {
        seen.push('body');
      }
      return new Response('x');
    },
    {},
    async (ctx) => {
      const s = net.connect(ctx.port, '127.0.0.1');
      s.on('error', () => {});
      s.write('POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly-part');
      await sleep(50);
      s.destroy();
      await until(() => seen.length === 2, 2000, 'the abort');
    },
  );
  assert.equal(seen.sort(), ['body', 'signal']);
});

Signal('not aborted by a normal response, nor by the next request on the connection', async () => {
  const signals: AbortSignal[] = [];
  await run(
    (req) => {
      signals.push(req.signal);
      return new Response('ok');
    },
    {},
    async (ctx) => {
      const c = await ctx.connect();
      await c.write('GET /1 HTTP/1.1\r\nHost: h\r\n\r\n');
      await c.waitResponses(1);
      await c.write('POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi');
      await c.waitResponses(2);
      await sleep(30);
      c.destroy();
      await sleep(30);
    },
  );
  assert.equal(
    signals.map((s) => s.aborted),
    [false, false],
  );
});

Signal('first read after the response: never aborts, never touches the next request', async () => {
  const kept: Request[] = [];
  let second = '';
  await run(
    async (req) => {
      kept.push(req);
      if (kept.length === 2) second = await req.text();
      return new Response('ok');
    },
    {},
    async (ctx) => {
      const c = await ctx.connect();
      await c.write('GET /1 HTTP/1.1\r\nHost: h\r\n\r\n');
      await c.waitResponses(1);
      const late = kept[0].signal; // the exchange behind request 1 is back in the pool
      let bodyError = '';
      await kept[0].text().catch((e: Error) => (bodyError = e.name));
      await c.write('POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello');
      await c.waitResponses(2);
      assert.is(late.aborted, false);
      assert.is(bodyError, '', 'a GET body reads as empty');
    },
  );
  assert.is(second, 'hello', 'the second request got its whole body');
});

Signal.run();
