// The request header view over real sockets: case-insensitive get(), repeated fields
// joined with ", " (RFC 9110 §5.3), entries() in received order, values trimmed of
// surrounding whitespace (RFC 9112 §5.1: OWS around the value is not part of it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App, HeaderView } from '../../src/types.js';
import { fixture, withServer } from '../helpers/raw.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

/** Runs `probe` on the scope's headers inside the app; returns what it returned. */
async function probe<T>(request: string, fn: (h: HeaderView) => T): Promise<T> {
  let out: T | undefined;
  let failure: unknown = null;
  const app: App = (scope, _receive, send) => {
    try {
      out = fn(scope.headers);
    } catch (e) {
      failure = e;
    }
    respond(send, 200, TEXT, 'ok');
  };
  await withServer(app, {}, async ({ connect }) => {
    const c = await connect();
    await c.write(request);
    await c.waitResponses(1);
  });
  if (failure !== null) throw failure;
  return out as T;
}

test('get() is case-insensitive for well-known and other names', async () => {
  const r = await probe('GET / HTTP/1.1\r\nHOST: h.example\r\ncontent-TYPE: text/html\r\nX-Custom-Thing: v1\r\n\r\n', (h) => [
    h.get('host'),
    h.get('Host'),
    h.get('HOST'),
    h.get('Content-Type'),
    h.get('content-type'),
    h.get('x-custom-thing'),
    h.get('X-CUSTOM-THING'),
    h.get('X-Custom-Thing'),
    h.get('x-missing'),
    h.has('X-Custom-thing'),
    h.has('nope'),
  ]);
  assert.equal(r, ['h.example', 'h.example', 'h.example', 'text/html', 'text/html', 'v1', 'v1', 'v1', null, true, false]);
});

test('repeated fields are joined with ", " in received order; other fields in between do not matter', async () => {
  const r = await probe('GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nX-A: 1\r\naccept: application/json\r\nX-B: b\r\nACCEPT: */*\r\nX-A: 2\r\n\r\n', (h) => [
    h.get('accept'),
    h.get('x-a'),
    h.get('x-b'),
    h.size,
  ]);
  assert.equal(r, ['text/html, application/json, */*', '1, 2', 'b', 7]);
});

test('entries() and iteration give [lowercase name, value] per line, in order', async () => {
  const r = await probe('GET / HTTP/1.1\r\nHost: x\r\nX-Z: last-letter\r\nContent-Length: 0\r\nx-z: again\r\nUser-Agent: ua/1\r\n\r\n', (h) => ({
    entries: [...h.entries()],
    iter: [...h],
    names: Array.from({ length: h.size }, (_, i) => h.nameAt(i)),
    values: Array.from({ length: h.size }, (_, i) => h.valueAt(i)),
  }));
  const expected = [
    ['host', 'x'],
    ['x-z', 'last-letter'],
    ['content-length', '0'],
    ['x-z', 'again'],
    ['user-agent', 'ua/1'],
  ];
  assert.equal(r.entries, expected);
  assert.equal(r.iter, expected);
  assert.equal(
    r.names,
    expected.map((e) => e[0]),
  );
  assert.equal(
    r.values,
    expected.map((e) => e[1]),
  );
});

test('values are trimmed of surrounding spaces and tabs; inner whitespace is kept', async () => {
  const r = await probe('GET / HTTP/1.1\r\nHost:    spaced.example   \r\nX-Tab:\t\ttabbed\t\r\nX-Inner:  a  b\tc  \r\nX-None:nospace\r\n\r\n', (h) => [
    h.get('host'),
    h.get('x-tab'),
    h.get('x-inner'),
    h.get('x-none'),
  ]);
  assert.equal(r, ['spaced.example', 'tabbed', 'a  b\tc', 'nospace']);
});

test('empty and whitespace-only values are empty strings, not null', async () => {
  const r = await probe('GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Blank:    \r\nX-After: z\r\n\r\n', (h) => [
    h.get('x-empty'),
    h.get('x-blank'),
    h.get('x-after'),
    [...h.entries()].length,
  ]);
  assert.equal(r, ['', '', 'z', 4]);
});

test('non-ASCII (obs-text) bytes in values come back as latin1, byte for byte', async () => {
  const r = await probe('GET / HTTP/1.1\r\nHost: x\r\nX-Latin: caf\xe9 \xff\r\n\r\n', (h) => h.get('x-latin'));
  assert.is(r, 'caf\xe9 \xff');
});

test('a realistic browser request (fixture): every field, in order, repeated Cookie joined', async () => {
  const raw = fixture('browser-get.http');
  const r = await probe(raw, (h) => ({ entries: [...h.entries()], cookie: h.get('Cookie'), ua: h.get('user-agent'), size: h.size }));
  const lines = raw.split('\r\n').slice(1, -2);
  assert.is(r.size, lines.length);
  assert.equal(
    r.entries,
    lines.map((l) => {
      const c = l.indexOf(':');
      return [l.slice(0, c).toLowerCase(), l.slice(c + 1).trim()];
    }),
  );
  assert.is(r.cookie, 'session=0123456789abcdef; theme=dark, tracking=no');
  assert.ok(r.ua!.startsWith('Mozilla/5.0 (X11'));
});

test('100 header lines are accepted; the 101st gets 431', async () => {
  let seen = -1;
  const app: App = (scope, _receive, send) => {
    seen = scope.headers.size;
    respond(send, 200, TEXT, 'ok');
  };
  await withServer(app, {}, async ({ raw }) => {
    const lines = (n: number): string => Array.from({ length: n }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    const ok = await raw(`GET / HTTP/1.1\r\nHost: x\r\n${lines(99)}\r\n`, { timeout: 300 });
    assert.ok(ok.data.startsWith('HTTP/1.1 200'), ok.data.slice(0, 30));
    assert.is(seen, 100);
    const tooMany = await raw(`GET / HTTP/1.1\r\nHost: x\r\n${lines(100)}\r\n`);
    assert.ok(tooMany.data.startsWith('HTTP/1.1 431'), tooMany.data.slice(0, 30));
  });
});

test.run();
