// http.response.trailers (ASGI): a trailer section after a chunked body (RFC 9112 §7.1.2),
// raw bytes on the wire and node:http's client reading them as `res.trailers`.
import * as http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { App } from '../../src/types.js';
import { parseResponses, withServer } from '../helpers/raw.js';

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

const streamed: App = async (scope, _r, send) => {
  await send({ type: 'http.response.start', status: 200, trailers: true, headers: [['trailer', 'x-checksum']] });
  await send({ type: 'http.response.body', body: 'a', moreBody: true });
  await send({ type: 'http.response.body', body: scope.path });
  await send({ type: 'http.response.trailers', headers: [['x-checksum', 'abc']] });
};

test('a streamed body then trailers: the last chunk, the trailer field, the blank line; the connection goes on', async () => {
  await withServer(streamed, {}, async ({ connect }) => {
    const c = await connect();
    await c.write(GET);
    await c.waitFor(() => c.text.endsWith('0\r\nx-checksum: abc\r\n\r\n'), 2000, 'trailer section');
    assert.ok(c.text.includes('transfer-encoding: chunked\r\n'));
    assert.ok(c.text.endsWith('\r\n\r\n1\r\na\r\n1\r\n/\r\n0\r\nx-checksum: abc\r\n\r\n'), JSON.stringify(c.text));
    await c.write('GET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitFor(() => c.text.endsWith('2\r\n/2\r\n0\r\nx-checksum: abc\r\n\r\n'), 2000, 'second response on the same connection');
  });
});

test("node:http's client reads them as res.trailers; one body message is chunked too, and moreTrailers adds more", async () => {
  const app: App = async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 200, trailers: true });
    await send({ type: 'http.response.body', body: 'whole' });
    await send({ type: 'http.response.trailers', headers: [['x-one', '1']], moreTrailers: true });
    await send({ type: 'http.response.trailers', headers: { 'x-two': '2' } });
  };
  await withServer(app, {}, async ({ port }) => {
    const got = await new Promise<{ body: string; trailers: NodeJS.Dict<string>; te: string | undefined }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ body, trailers: res.trailers, te: res.headers['transfer-encoding'] }));
        })
        .on('error', reject);
    });
    assert.equal(got, { body: 'whole', trailers: { 'x-one': '1', 'x-two': '2' }, te: 'chunked' });
  });
});

test('with a content-length, a HEAD request or HTTP/1.0 there is no trailer section: the fields are dropped, the response ends', async () => {
  const framed: App = async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 200, trailers: true, headers: [['content-length', '2']] });
    await send({ type: 'http.response.body', body: 'ok' });
    await send({ type: 'http.response.trailers', headers: [['x-checksum', 'abc']] });
  };
  await withServer(framed, {}, async ({ raw }) => {
    const r = await raw(`${GET}GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { timeout: 2000 });
    const res = parseResponses(r.data);
    assert.equal(
      res.map((x) => x.body),
      ['ok', 'ok'],
    );
    assert.not.ok(r.data.includes('x-checksum'));
  });
  await withServer(streamed, {}, async ({ raw }) => {
    const head = await raw('HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 2000 });
    assert.ok(head.closed);
    assert.not.ok(head.data.includes('x-checksum: abc'));
    assert.ok(head.data.endsWith('\r\n\r\n'));
    const old = await raw('GET /x HTTP/1.0\r\nHost: x\r\n\r\n', { timeout: 2000 });
    assert.ok(old.closed);
    assert.ok(old.data.endsWith('\r\n\r\na/x'), JSON.stringify(old.data));
  });
});

for (const [name, fields] of [
  ['a CR LF in a value', [['x-checksum', 'a\r\nset-cookie: b']]],
  ['content-length', [['content-length', '5']]],
  ['connection', [['connection', 'close']]],
  ['transfer-encoding, even chunked', [['Transfer-Encoding', 'chunked']]],
] as const) {
  test(`a trailer with ${name} throws a TypeError from send(): never on the wire, the body is cut`, async () => {
    let thrown: unknown = null;
    const app: App = async (_s, _r, send) => {
      await send({ type: 'http.response.start', status: 200, trailers: true });
      await send({ type: 'http.response.body', body: 'a' });
      try {
        await send({ type: 'http.response.trailers', headers: fields });
      } catch (e) {
        thrown = e;
        throw e;
      }
    };
    await withServer(app, {}, async ({ raw }) => {
      const r = await raw(GET, { timeout: 2000 });
      assert.ok(r.closed);
      assert.not.ok(r.data.includes('set-cookie'));
      assert.not.ok(r.data.includes('0\r\n'), 'no last chunk: the client sees a cut body');
    });
    assert.instance(thrown, TypeError);
  });
}

test('trailers without trailers: true, or before the last body message, are refused', async () => {
  const errors: string[] = [];
  const app: App = async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.trailers', headers: [] }).catch((e: Error) => errors.push(e.message));
    await send({ type: 'http.response.body', body: 'ok' });
  };
  const early: App = async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 200, trailers: true });
    await send({ type: 'http.response.body', body: 'a', moreBody: true });
    await send({ type: 'http.response.trailers', headers: [] }).catch((e: Error) => errors.push(e.message));
    await send({ type: 'http.response.body', body: 'b' });
    await send({ type: 'http.response.trailers' });
  };
  for (const a of [app, early]) {
    await withServer(a, {}, async ({ raw }) => {
      const r = await raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 2000 });
      assert.ok(r.data.startsWith('HTTP/1.1 200 OK\r\n'));
    });
  }
  assert.equal(errors, ['http.response.trailers without trailers: true on http.response.start', 'http.response.trailers before the last http.response.body']);
});

test.run();
