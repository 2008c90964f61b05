// res.addTrailers(): node:http sends the fields after the last chunk whenever the body is
// chunked (a Trailer field in the head makes it chunked even when the length is known) and
// drops them when the body has a Content-Length. The same apps on node:http and on
// fasterapi/node, raw requests on one kept-alive connection, the framing and the trailer
// section compared byte for byte, then one more request to show the connection is in step.
import type * as http from 'node:http';
import * as net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listenPair, type Pair } from './harness.js';

function app(req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (req.url) {
    case '/declared':
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-sum' });
      res.write('abc');
      res.addTrailers({ 'x-sum': '42' });
      res.end();
      return;
    case '/streamed':
      res.setHeader('content-type', 'text/plain');
      res.write('abc');
      res.addTrailers([
        ['X-A', '1'],
        ['X-B', '2'],
      ]);
      res.end('d');
      return;
    case '/whole':
      res.addTrailers({ 'x-late': '1' });
      res.end('hello');
      return;
    case '/declared-whole':
      res.setHeader('trailer', 'x-sum');
      res.addTrailers({ 'x-sum': '7' });
      res.end('hello');
      return;
    case '/none':
      res.write('abc');
      res.end();
      return;
    case '/invalid':
      tryTrailers(res, { 'bad name': 'x' }, '');
      return;
    case '/framing':
      tryTrailers(res, { 'Content-Length': '5' }, 'refused ');
      return;
    case '/injection':
      tryTrailers(res, { 'x-sum': 'a\r\nx-evil: 1' }, '');
      return;
    default:
      res.end('ok');
  }
}

/** Ends with 'accepted' when addTrailers(fields) takes them, else with `prefix` and the error's code. */
function tryTrailers(res: http.ServerResponse, fields: Record<string, string>, prefix: string): void {
  try {
    res.addTrailers(fields);
    res.end('accepted');
  } catch (err) {
    res.end(`${prefix}${String((err as { code?: string }).code)}`);
  }
}

interface Parsed {
  status: string;
  framing: string;
  body: string;
  trailers: string;
}

/** Parses one response at `buf[at]`; null until all of it has arrived. */
function parseOne(buf: Buffer, at: number): { parsed: Parsed; next: number } | null {
  const headEnd = buf.indexOf('\r\n\r\n', at);
  if (headEnd < 0) return null;
  const lines = buf.toString('latin1', at, headEnd).split('\r\n');
  const fields = lines.slice(1).map((l) => l.toLowerCase());
  const te = fields.find((f) => f.startsWith('transfer-encoding:'));
  const cl = fields.find((f) => f.startsWith('content-length:'));
  let p = headEnd + 4;
  if (te === undefined) {
    const n = Number(cl?.split(':')[1] ?? 0);
    if (buf.length < p + n) return null;
    return { parsed: { status: lines[0], framing: cl ?? '', body: buf.toString('latin1', p, p + n), trailers: '' }, next: p + n };
  }
  let body = '';
  for (;;) {
    const e = buf.indexOf('\r\n', p);
    if (e < 0) return null;
    const size = Number.parseInt(buf.toString('latin1', p, e), 16);
    p = e + 2;
    if (size === 0) break;
    if (buf.length < p + size + 2) return null;
    body += buf.toString('latin1', p, p + size);
    p += size + 2;
  }
  const end = buf.indexOf('\r\n\r\n', p - 2);
  if (end < 0) return null;
  return { parsed: { status: lines[0], framing: te, body, trailers: buf.toString('latin1', p, end + 2) }, next: end + 4 };
}

/** GET `path` then GET /after on one connection; both answers. */
function fetchTwo(port: number, path: string): Promise<Parsed[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no two answers for ${path}; got ${JSON.stringify(buf.toString('latin1'))}`));
    }, 5000);
    sock.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\nGET /after HTTP/1.1\r\nHost: test\r\n\r\n`);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const first = parseOne(buf, 0);
      const second = first === null ? null : parseOne(buf, first.next);
      if (first !== null && second !== null) {
        clearTimeout(timer);
        sock.destroy();
        resolve([first.parsed, second.parsed]);
      }
    });
    sock.on('error', reject);
  });
}

let pair: Pair;
test.before(async () => {
  pair = await listenPair(() => app);
});

test('addTrailers: a field that frames the message is refused (node:http sends it)', async () => {
  const ours = await fetchTwo(pair.ours, '/framing');
  assert.is(ours[0].body, 'refused ERR_INVALID_ARG_VALUE');
  const node = await fetchTwo(pair.node, '/framing');
  assert.is(node[0].body, 'accepted');
});
test.after(() => pair.close());

const expected: Record<string, { trailers: string; body: string }> = {
  '/declared': { trailers: 'x-sum: 42\r\n', body: 'abc' },
  '/streamed': { trailers: 'X-A: 1\r\nX-B: 2\r\n', body: 'abcd' },
  '/whole': { trailers: '', body: 'hello' },
  '/declared-whole': { trailers: 'x-sum: 7\r\n', body: 'hello' },
  '/none': { trailers: '', body: 'abc' },
  '/invalid': { trailers: '', body: 'ERR_INVALID_HTTP_TOKEN' },
  '/injection': { trailers: '', body: 'ERR_INVALID_CHAR' },
};

for (const [path, want] of Object.entries(expected)) {
  test(`addTrailers ${path}: same framing, body and trailer section as node:http`, async () => {
    const [node, ours] = await Promise.all([fetchTwo(pair.node, path), fetchTwo(pair.ours, path)]);
    assert.is(node[0].body, want.body, 'node:http body');
    assert.is(node[0].trailers, want.trailers, 'node:http trailers');
    assert.equal(ours[0], node[0]);
    assert.equal(ours[1], node[1]);
    assert.is(ours[1].body, 'ok');
  });
}

test.run();
