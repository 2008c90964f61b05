/**
 * Hostile input that is well-formed at the byte level but aimed at what the app sees:
 * trailer fields sent to overwrite checked headers, an unbounded trailer section.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { App } from '../../src/index.js';
import { converse, parseWire, startOurs } from './wire.js';

/** Answers with the header lines seen at dispatch and after the whole body, and scope.client. */
const headerWatcher: App = async (scope, receive, send) => {
  const before = [...scope.headers.entries()];
  const client = scope.client;
  for (;;) {
    const m = await receive();
    if (m.type !== 'http.request' || !m.moreBody) break;
  }
  const after = [...scope.headers.entries()];
  send(200, null, JSON.stringify({ before, after, client, clientAfter: scope.client, host: scope.headers.get('host') }));
};

test('trailer fields never reach scope.headers (no late Host, X-Forwarded-For, Authorization)', async () => {
  const { server, port } = await startOurs({}, headerWatcher);
  try {
    const head = 'POST /t HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nTrailer: Host, X-Forwarded-For, Authorization\r\n\r\n';
    const body = '5\r\nhello\r\n0\r\nHost: evil.example\r\nX-Forwarded-For: 203.0.113.9\r\nAuthorization: Bearer stolen\r\n\r\n';
    for (const pieces of [undefined, [head.length, 10], [head.length + 10, 1, 1, 1, 1, 1, 1, 1, 1, 1]]) {
      const conv = await converse(port, head + body, { timeout: 2000, pieces, until: (d) => parseWire(d, false).responses.length === 1 });
      const res = parseWire(conv.data, conv.closed).responses;
      assert.is(res.length, 1);
      assert.is(res[0].status, 200);
      const seen = JSON.parse(res[0].body.toString()) as { before: unknown; after: unknown; client: unknown; clientAfter: unknown; host: string };
      assert.equal(seen.after, seen.before, 'headers unchanged by the trailer section');
      assert.is(seen.host, 'example.com');
      assert.equal(seen.clientAfter, seen.client);
    }
  } finally {
    await server.close();
  }
});

test('a trailer section larger than maxHeaderSize is answered 431 and closed', async () => {
  const { server, port } = await startOurs({ maxHeaderSize: 4096 }, headerWatcher);
  try {
    const trailers = Array.from({ length: 100 }, (_, i) => `X-T${i}: ${'v'.repeat(60)}\r\n`).join('');
    const bytes = 'POST /t HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n' + trailers + '\r\n' +
      'GET /second HTTP/1.1\r\nHost: example.com\r\n\r\n';
    const conv = await converse(port, bytes, { timeout: 2000 });
    const res = parseWire(conv.data, conv.closed);
    assert.is(res.error, null);
    assert.equal(res.responses.map((r) => r.status), [431]);
    assert.ok(conv.closed);
  } finally {
    await server.close();
  }
});

test.run();
