import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Faster, HTTPException, Response, type Request } from '../../src/index.js';
import { parseResponses, rawRequest } from '../helpers/raw.js';
import { exchange, get, recordingLogger, response, serve, type Running } from './serve.js';

const logger = recordingLogger();
let running: Running;
let port = 0;

const app = new Faster({ logger });
app.get('/', () => 'Hello, World!');
app.get('/json', () => ({ message: 'Hello, World!' }));
app.get('/bytes', () => Buffer.from([0, 1, 2, 255]));
app.get('/u8', () => new Uint8Array([104, 105]));
app.get('/nothing', () => {});
app.get('/null', () => null);
app.get('/number', () => 42);
app.get('/utf8', () => 'héllo ✓');
app.get('/async', async () => {
  await new Promise((r) => setTimeout(r, 5));
  return { late: true };
});
app.get('/throws', () => {
  throw new Error('secret internals');
});
app.get('/rejects', async () => {
  throw new Error('async secret');
});
app.get('/teapot', () => {
  throw new HTTPException(418, "I'm a teapot");
});
app.get('/http-exc-default', async () => {
  throw new HTTPException(403);
});
app.get('/http-exc-headers', () => {
  throw new HTTPException(401, { reason: 'token' }, { 'www-authenticate': 'Bearer' });
});
app.get('/response', () => new Response('created', { status: 201, headers: { 'x-id': '7' } }));
app.get(
  '/response-headers-object',
  () =>
    new Response('h', {
      headers: new Headers([
        ['x-a', '1'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]),
    }),
);
app.get('/response-json', () => Response.json({ a: 1 }, { status: 202 }));
app.get('/response-type', () => new Response('<p>hi</p>', { contentType: 'text/html; charset=utf-8' }));
app.get('/response-redirect', () => Response.redirect('/elsewhere'));
app.get(
  '/stream',
  () =>
    new Response(
      (async function* () {
        yield 'one,';
        yield Buffer.from('two');
      })(),
      { contentType: 'text/plain' },
    ),
);
app.get('/bigint', () => ({ n: 1n }));
app.get('/items/:id', (r: Request) => ({ id: r.pathParams.id }));
app.get('/files/*', (r: Request) => r.pathParams['*']);
app.get('/query', (r: Request) => ({ q: r.query.get('q'), all: r.query.getAll('t') }));
app.get('/meta', (r: Request) => ({
  method: r.method,
  client: r.client,
  ua: r.headers.get('user-agent'),
  missing: r.headers.get('x-missing'),
  url: { scheme: r.url.scheme, hostname: r.url.hostname, port: r.url.port, path: r.url.path, query: r.url.query, href: r.url.href },
}));
app.post('/echo', async (r: Request) => r.text());
app.post('/json-body', async (r: Request) => ({ got: await r.json() }));
app.post('/bytes-body', async (r: Request) => (await r.body()).length);
app.put('/put', () => 'put');
app.patch('/patch', () => 'patch');
app.delete('/delete', () => 'delete');
app.options('/options', () => new Response(null, { status: 204, headers: { allow: 'GET, OPTIONS' } }));
app.head('/head-only', () => new Response(null, { headers: { 'x-head': '1' } }));
app.route('PURGE', '/cache', () => 'purged');
app.get('/state', (r: Request) => {
  r.state.n = 1;
  return r.state;
});

test.before(async () => {
  running = await serve(app);
  port = running.port;
});
test.after(async () => {
  await running.close();
});

const TEXT = 'content-type: text/plain; charset=utf-8';
const JSON_TYPE = 'content-type: application/json';

test('Faster: a string is text/plain; charset=utf-8 (exact bytes)', async () => {
  const out = await exchange(port, 'GET / HTTP/1.1\r\nhost: localhost\r\n\r\n');
  assert.is(out, response('200 OK', [TEXT, 'content-length: 13'], 'Hello, World!'));
});

test('Faster: an object is JSON (exact bytes)', async () => {
  const out = await exchange(port, 'GET /json HTTP/1.1\r\nhost: localhost\r\n\r\n');
  assert.is(out, response('200 OK', [JSON_TYPE, 'content-length: 27'], '{"message":"Hello, World!"}'));
});

test('Faster: bytes are application/octet-stream, a Uint8Array too', async () => {
  const data = await exchange(port, 'GET /bytes HTTP/1.1\r\nhost: x\r\n\r\nGET /u8 HTTP/1.1\r\nhost: x\r\n\r\n');
  const [a, b] = parseResponses(data);
  assert.is(a.headers['content-type'], 'application/octet-stream');
  assert.is(a.body, '\x00\x01\x02\xff');
  assert.is(b.body, 'hi');
});

test('Faster: undefined is 204 without a body; null and numbers are JSON', async () => {
  assert.is(await exchange(port, 'GET /nothing HTTP/1.1\r\nhost: x\r\n\r\n'), response('204 No Content', []));
  const n = await get(port, '/null');
  assert.is(n.status, 200);
  assert.is(n.body, 'null');
  assert.is((await get(port, '/number')).body, '42');
});

test('Faster: a string body is encoded as UTF-8 with its byte length', async () => {
  const data = await exchange(port, 'GET /utf8 HTTP/1.1\r\nhost: x\r\n\r\n');
  const res = parseResponses(data)[0];
  assert.is(res.headers['content-length'], String(Buffer.byteLength('héllo ✓')));
  assert.is(Buffer.from(res.body, 'latin1').toString('utf8'), 'héllo ✓');
});

test('Faster: async handlers', async () => {
  const res = await get(port, '/async');
  assert.is(res.body, '{"late":true}');
});

test('Faster: a thrown error is 500 JSON without internals, and is logged', async () => {
  logger.errors.length = 0;
  const out = await exchange(port, 'GET /throws HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.is(out, response('500 Internal Server Error', [JSON_TYPE, 'content-length: 34'], '{"detail":"Internal Server Error"}'));
  const rej = await get(port, '/rejects');
  assert.is(rej.status, 500);
  assert.not.match(rej.body, /secret/);
  assert.equal(logger.errors, ['GET /throws: handler failed: secret internals', 'GET /rejects: handler failed: async secret']);
});

test('Faster: HTTPException(status, detail) → that status with {"detail"}', async () => {
  const out = await exchange(port, 'GET /teapot HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.is(out, response("418 I'm a Teapot", [JSON_TYPE, 'content-length: 25'], '{"detail":"I\'m a teapot"}'));
  const d = await get(port, '/http-exc-default');
  assert.is(d.status, 403);
  assert.is(d.body, '{"detail":"Forbidden"}');
  const h = await get(port, '/http-exc-headers');
  assert.is(h.status, 401);
  assert.is(h.headers['www-authenticate'], 'Bearer');
  assert.is(h.headers['content-type'], 'application/json');
  assert.is(h.body, '{"detail":{"reason":"token"}}');
});

test('Faster: Response carries status, headers and body', async () => {
  const out = await exchange(port, 'GET /response HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.is(out, response('201 Created', [TEXT, 'x-id: 7', 'content-length: 7'], 'created'));
  const j = await get(port, '/response-json');
  assert.is(j.status, 202);
  assert.is(j.headers['content-type'], 'application/json');
  assert.is(j.body, '{"a":1}');
  assert.is((await get(port, '/response-type')).headers['content-type'], 'text/html; charset=utf-8');
  const r = await get(port, '/response-redirect');
  assert.is(r.status, 307);
  assert.is(r.headers.location, '/elsewhere');
  // A Headers object is a HeadersInit too: its fields (each set-cookie) reach the wire.
  const h = await exchange(port, 'GET /response-headers-object HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.is(h, response('200 OK', [TEXT, 'set-cookie: a=1', 'set-cookie: b=2', 'x-a: 1', 'content-length: 1'], 'h'));
});

test('Faster: a Response with an async iterable body is streamed chunked', async () => {
  const out = await exchange(port, 'GET /stream HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.is(out, response('200 OK', ['content-type: text/plain', 'transfer-encoding: chunked'], '4\r\none,\r\n3\r\ntwo\r\n0\r\n\r\n'));
});

test('Faster: a value JSON cannot encode is a 500', async () => {
  assert.is((await get(port, '/bigint')).status, 500);
});

test('Faster: 404 and 405 (with Allow) as JSON', async () => {
  const nf = await exchange(port, 'GET /missing HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.is(nf, response('404 Not Found', [JSON_TYPE, 'content-length: 22'], '{"detail":"Not Found"}'));
  const na = await exchange(port, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n');
  assert.is(na, response('405 Method Not Allowed', [JSON_TYPE, 'allow: GET, HEAD', 'content-length: 31'], '{"detail":"Method Not Allowed"}'));
});

test('Faster: HEAD falls back to the GET route, without a body', async () => {
  const out = await exchange(port, 'HEAD /json HTTP/1.1\r\nhost: x\r\n\r\nGET / HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.is(out, response('200 OK', [JSON_TYPE, 'content-length: 27']) + response('200 OK', [TEXT, 'content-length: 13'], 'Hello, World!'));
  const own = await exchange(port, 'HEAD /head-only HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.is(own, response('200 OK', ['x-head: 1', 'content-length: 0']));
});

test('Faster: every method helper and route()', async () => {
  for (const [m, p] of [
    ['PUT', '/put'],
    ['PATCH', '/patch'],
    ['DELETE', '/delete'],
    ['PURGE', '/cache'],
  ]) {
    const data = await exchange(port, `${m} ${p} HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n`);
    const res = parseResponses(data)[0];
    assert.is(res.status, 200, m);
    assert.is(res.body, m === 'PURGE' ? 'purged' : m.toLowerCase());
  }
  const data = await exchange(port, 'OPTIONS /options HTTP/1.1\r\nhost: x\r\n\r\n');
  const res = parseResponses(data)[0];
  assert.is(res.status, 204);
  assert.is(res.headers.allow, 'GET, OPTIONS');
});

test('Faster: path parameters, decoded; * takes the rest', async () => {
  assert.is((await get(port, '/items/42')).body, '{"id":"42"}');
  assert.is((await get(port, '/items/a%20b')).body, '{"id":"a b"}');
  assert.is((await get(port, '/files/a/b/c.txt')).body, 'a/b/c.txt');
  assert.is((await get(port, '/items/')).status, 404);
});

test('Faster: query parameters', async () => {
  assert.is((await get(port, '/query?q=hello%20world&t=1&t=2')).body, '{"q":"hello world","all":["1","2"]}');
  assert.is((await get(port, '/query')).body, '{"q":null,"all":[]}');
});

test('Faster: Request method, client, headers and url', async () => {
  const res = await get(port, '/meta?x=1', ['host: api.example.com:8080', 'user-agent: uvu', 'user-agent: again']);
  const body = JSON.parse(res.body);
  assert.is(body.method, 'GET');
  assert.is(body.client[0], '127.0.0.1');
  assert.type(body.client[1], 'number');
  assert.is(body.ua, 'uvu, again');
  assert.is(body.missing, null);
  assert.equal(body.url, {
    scheme: 'http',
    hostname: 'api.example.com',
    port: 8080,
    path: '/meta',
    query: 'x=1',
    href: 'http://api.example.com:8080/meta?x=1',
  });
  const v6 = JSON.parse((await get(port, '/meta', ['host: [::1]'])).body);
  assert.is(v6.url.hostname, '::1');
  assert.is(v6.url.port, 80);
  assert.is(v6.url.href, 'http://[::1]/meta');
});

test('Faster: request bodies: text, json (bad JSON → 400), bytes, chunked', async () => {
  assert.is(parseResponses(await exchange(port, 'POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello'))[0].body, 'hello');
  assert.is(parseResponses(await exchange(port, 'POST /json-body HTTP/1.1\r\nhost: x\r\ncontent-length: 7\r\n\r\n{"a":1}'))[0].body, '{"got":{"a":1}}');
  const b = parseResponses(await exchange(port, 'POST /json-body HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\n{x}'))[0];
  assert.is(b.status, 400);
  assert.is(b.body, '{"detail":"Invalid JSON body"}');
  const c = await rawRequest(port, 'POST /bytes-body HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n', {
    split: 7,
  });
  assert.is(parseResponses(c.data)[0].body, '7');
});

test('Faster: pipelined requests on one connection are answered in order, nothing carries over', async () => {
  const reqs =
    'GET /async HTTP/1.1\r\nhost: x\r\n\r\n' +
    'GET /items/1 HTTP/1.1\r\nhost: x\r\n\r\n' +
    'GET /meta HTTP/1.1\r\nhost: a.test\r\nuser-agent: first\r\n\r\n' +
    'GET /meta HTTP/1.1\r\nhost: b.test\r\n\r\n' +
    'GET /state HTTP/1.1\r\nhost: x\r\n\r\n' +
    'GET /state HTTP/1.1\r\nhost: x\r\n\r\n';
  const data = await exchange(port, reqs);
  const rs = parseResponses(data);
  assert.is(rs.length, 6);
  assert.is(rs[0].body, '{"late":true}');
  assert.is(rs[1].body, '{"id":"1"}');
  const m1 = JSON.parse(rs[2].body);
  const m2 = JSON.parse(rs[3].body);
  assert.is(m1.ua, 'first');
  assert.is(m2.ua, null);
  assert.is(m1.url.hostname, 'a.test');
  assert.is(m2.url.hostname, 'b.test');
  assert.is(rs[4].body, '{"n":1}');
  assert.is(rs[5].body, '{"n":1}');
});

test('Faster: route() and addMiddleware() validate at start-up', () => {
  const a = new Faster();
  assert.throws(() => a.get('no-slash', () => 'x'), /must start with/);
  assert.throws(() => a.route('BAD METHOD', '/', () => 'x'), /Invalid method/);
  assert.throws(() => a.get('/', 'nope' as unknown as () => string), /must be a function/);
  void a.asgi;
  assert.throws(
    () =>
      a.addMiddleware(
        class {
          dispatch() {}
        },
      ),
    /before the app starts/,
  );
});

test('Faster: app.listen resolves to the running server', async () => {
  const a = new Faster();
  a.get('/', () => 'ok');
  const server = await a.listen({ port: 0, host: '127.0.0.1' });
  try {
    assert.is(server.address().address, '127.0.0.1');
    assert.is((await get(server.address().port, '/')).body, 'ok');
  } finally {
    await server.close();
  }
});

test('request.body() buffers up to maxBufferedBodySize, then 413 (the transport itself sets no body limit)', async () => {
  const app = new Faster({ maxBufferedBodySize: 1000 });
  app.post('/echo', async (request) => `got ${(await request.body()).length}`);
  const running = await serve(app);
  try {
    const post = (n: number): string => `POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: ${n}\r\n\r\n${'a'.repeat(n)}`;
    const [small] = parseResponses(await exchange(running.port, post(1000)));
    assert.is(small.body, 'got 1000');
    const [big] = parseResponses(await exchange(running.port, post(1001)));
    assert.is(big.status, 413);
    assert.is(big.body, '{"detail":"Request body too large"}');
  } finally {
    await running.close();
  }
});

test.run();
