// A head that arrives over several reads (llhttp hands tokens over in pieces) must
// give exactly the scope the same head gives in one read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import type { App } from '../../src/types.js';
import { fixture, withServer } from '../helpers/raw.js';
import { snapshotScope, type ScopeSnapshot } from '../helpers/scope.js';
import { respond } from '../../src/server/respond.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });
const NAMES = ['host', 'cookie', 'user-agent', 'accept-language', 'x-request-id', 'content-type', 'origin'];
const BROWSER = fixture('browser-get.http');
const FORM = fixture('form-post.http');

interface Seen {
  scope: ScopeSnapshot;
  body: string;
  reads: number;
}

/** Sends `request` as the given pieces on a fresh connection; returns what the app saw. */
async function sendInPieces(request: string, o: { split?: number; cuts?: number[] }): Promise<Seen> {
  let scope: ScopeSnapshot | null = null;
  let body = '';
  const app: App = async (s, receive, send) => {
    scope = snapshotScope(s, NAMES);
    for (;;) {
      const m = await receive();
      if (m.type !== 'http.request') break;
      body += Buffer.from(m.body).toString('latin1');
      if (!m.moreBody) break;
    }
    // read again after the body: the head must still be intact once the reads moved on
    assert.equal(snapshotScope(s, NAMES), scope);
    respond(send, 200, TEXT, 'ok');
  };
  let reads = 0;
  let clientPort = 0;
  await withServer(app, {}, async ({ connect, accepted }) => {
    const c = await connect();
    clientPort = c.socket.localPort!;
    await c.write(request, { ...o, gap: o.split === 1 ? 0 : 3 });
    await c.waitResponses(1, 5000);
    reads = accepted[0].reads;
  });
  const seen = scope as ScopeSnapshot | null;
  assert.ok(seen !== null);
  // each call is a new connection: check the client here, compare the rest
  assert.equal(seen!.client, ['127.0.0.1', clientPort]);
  return { scope: { ...seen!, client: null }, body, reads };
}

/** Offset just inside the first occurrence of `needle` (plus `into` bytes). */
function inside(text: string, needle: string, into: number): number {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, needle);
  return at + into;
}

test('the browser fixture in one read is what the other tests compare against', async () => {
  const whole = await sendInPieces(BROWSER, {});
  assert.is(whole.scope.method, 'GET');
  assert.is(whole.scope.path, '/search/café menu');
  assert.is(whole.scope.rawPath, '/search/caf%C3%A9%20menu');
  assert.is(whole.scope.queryString, 'q=%E2%82%AC+price&sort=asc&sort=desc');
  assert.equal(whole.scope.server, ['shop.example.com', 8443]);
  assert.is(whole.scope.get.cookie, 'session=0123456789abcdef; theme=dark, tracking=no');
  assert.is(whole.scope.size, 17);
});

test('byte by byte: identical scope', async () => {
  const whole = await sendInPieces(BROWSER, {});
  const split = await sendInPieces(BROWSER, { split: 1 });
  assert.ok(split.reads > 50, `arrived in ${split.reads} reads`);
  assert.equal(split.scope, whole.scope);
});

test('split inside the method, the target, a header name, a value, and between CR and LF: identical scope', async () => {
  const whole = await sendInPieces(BROWSER, {});
  const cases: [string, number[]][] = [
    ['inside the method', [1]],
    ['inside the target', [inside(BROWSER, '%C3%A9', 2)]],
    ['inside the query', [inside(BROWSER, 'sort=asc', 3)]],
    ['inside the version', [inside(BROWSER, 'HTTP/1.1', 6)]],
    ['inside a header name', [inside(BROWSER, 'Accept-Language', 7)]],
    ['right before the colon', [inside(BROWSER, 'User-Agent:', 10)]],
    ['right after the colon', [inside(BROWSER, 'User-Agent:', 11)]],
    ['inside a value', [inside(BROWSER, 'Gecko/2010', 5)]],
    ['inside a repeated field value', [inside(BROWSER, 'tracking=no', 4)]],
    ['between CR and LF', [inside(BROWSER, '\r\nReferer', 1)]],
    ['before the final CRLF', [BROWSER.length - 2]],
    ['before the final LF', [BROWSER.length - 1]],
    ['in several places', [3, 20, 60, 61, 200, 201, 202, 400, BROWSER.length - 3]],
  ];
  for (const [name, cuts] of cases) {
    const split = await sendInPieces(BROWSER, { cuts });
    assert.equal(split.scope, whole.scope, name);
  }
});

test('every single cut position gives the same scope', async () => {
  // Exhaustive over a shorter head: one server, one connection per cut position.
  const head = 'PUT /a%2Fb/c?x=%20y HTTP/1.1\r\nHost: h:81\r\nX-Long-Name: some value\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n';
  const whole = await sendInPieces(head, {});
  const seen: ScopeSnapshot[] = [];
  const app: App = (s, _receive, send) => {
    seen.push({ ...snapshotScope(s, NAMES), client: null });
    respond(send, 200, TEXT, 'ok');
  };
  await withServer(app, {}, async ({ connect }) => {
    for (let cut = 1; cut < head.length; cut++) {
      const c = await connect();
      await c.write(head, { cuts: [cut], gap: 2 });
      await c.waitResponses(1);
      c.destroy();
      assert.equal(seen[cut - 1], whole.scope, `cut at ${cut}: ${JSON.stringify(head.slice(0, cut))}`);
    }
  });
});

test('a POST with a body (fixture), split byte by byte: same scope and same body', async () => {
  const whole = await sendInPieces(FORM, {});
  assert.is(whole.body, 'display_name=Ada+Lovelace&email=ada%40example.org&notify=1');
  assert.is(whole.scope.get['content-type'], 'application/x-www-form-urlencoded');
  const split = await sendInPieces(FORM, { split: 1 });
  assert.equal(split.scope, whole.scope);
  assert.is(split.body, whole.body);
});

test('a head larger than one read buffer (64 KiB read, 60 KiB head) keeps every field', async () => {
  const big = `GET /big HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 60 }, (_, i) => `X-F${i}: ${String(i).padStart(3, '0')}${'v'.repeat(1000)}\r\n`).join('')}\r\n`;
  let seen: ScopeSnapshot | null = null;
  const app: App = (s, _receive, send) => {
    seen = snapshotScope(s, ['x-f0', 'x-f59']);
    respond(send, 200, TEXT, 'ok');
  };
  await withServer(app, { maxHeaderSize: 128 * 1024 }, async ({ connect }) => {
    const c = await connect();
    await c.write(big, { split: 7000, gap: 2 });
    await c.waitResponses(1);
  });
  const s = seen as ScopeSnapshot | null;
  assert.ok(s !== null);
  assert.is(s!.size, 61);
  assert.is(s!.get['x-f0'], '000' + 'v'.repeat(1000));
  assert.is(s!.get['x-f59'], '059' + 'v'.repeat(1000));
  assert.ok(s!.entries.every(([n, v], i) => i === 0 || (n === `x-f${i - 1}` && v.length === 1003)));
});

test.run();
