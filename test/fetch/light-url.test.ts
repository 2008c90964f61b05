// LightURL: every URL member answers as `new URL(href)` does, sliced or through the real
// URL; setters work; h3 takes it for event.url over real sockets.
import { inspect } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H3, getQuery } from 'h3';
import { LightURL, lightUrl } from '../../src/fetch/light-url.js';
import { createFetchHandler } from '../../src/fetch/index.js';
import { withServer } from '../helpers/raw.js';
import { restoreGlobals } from './listening.js';

const Light = suite('LightURL');

const HREFS = [
  'http://127.0.0.1:8000/json',
  'http://example.com/',
  'https://example.com/a/b?x=1&y=%20',
  'http://example.com/a?',
  'http://[::1]:3000/users/42?q',
  'https://h.test:8443/%7Euser/a%2Fb?q=a+b&q=c',
];
const MEMBERS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;

Light('every member as new URL(href) gives it; instanceof URL; toString, toJSON, JSON, inspect', () => {
  for (const href of HREFS) {
    const real = new URL(href);
    const light = lightUrl(href);
    assert.ok(light instanceof LightURL, href);
    assert.ok(light instanceof URL, href);
    for (const m of MEMBERS) assert.is(light[m], real[m], `${href} ${m}`);
    assert.equal([...light.searchParams], [...real.searchParams], href);
    assert.is(String(light), real.href);
    assert.is(light.toJSON(), real.toJSON());
    assert.is(JSON.stringify({ u: light }), JSON.stringify({ u: real }));
    assert.is(inspect(light), inspect(real));
    assert.is(Object.prototype.toString.call(light), '[object URL]');
  }
});

Light('the sliced members make no real URL; the others make one, once', () => {
  // A string the URL parser refuses: slicing it works, anything needing the real URL throws.
  const odd = new LightURL('http://a b/p?q');
  assert.is(odd.pathname, '/p');
  assert.is(odd.search, '?q');
  assert.is(odd.host, 'a b');
  assert.is(odd.protocol, 'http:');
  assert.is(odd.href, 'http://a b/p?q');
  assert.throws(() => (odd as unknown as URL).origin, TypeError);
  const light = lightUrl('http://example.com/a?b=1');
  assert.is(light.searchParams.get('b'), '1');
  assert.is(light.searchParams, light.searchParams, 'one real URL behind it');
});

Light('setters change the URL, and every member follows', () => {
  const light = lightUrl('http://example.com/api/users?x=1');
  light.pathname = '/users';
  assert.is(light.pathname, '/users');
  assert.is(light.href, 'http://example.com/users?x=1');
  light.search = '?y=2';
  assert.is(light.search, '?y=2');
  assert.is(light.searchParams.get('y'), '2');
  light.host = 'other.test:81';
  assert.is(light.href, 'http://other.test:81/users?y=2');
  light.href = 'https://z.test/q#h';
  assert.is(light.protocol, 'https:');
  assert.is(light.hash, '#h');
  assert.is(light.pathname, '/q');
});

Light('a fragment gives a real URL', () => {
  const u = lightUrl('http://example.com/a#f');
  assert.not.ok(u instanceof LightURL);
  assert.is(u.hash, '#f');
});

Light("h3's event.url is the request's light URL (no second parse), routes and queries as on srvx", async () => {
  const seen: unknown[] = [];
  const app = new H3()
    .get('/users/:id', (e) => {
      seen.push(e.url);
      return { id: e.context.params?.id, q: getQuery(e), path: e.url.pathname, href: e.url.href };
    })
    .get('/req', (e) => ({ same: e.url === (e.req as unknown as { _url: URL })._url, runtime: e.runtime }));
  try {
    await withServer(createFetchHandler(app.fetch, { defaultContentType: null }), {}, async (ctx) => {
      const c = await ctx.connect();
      await c.write('GET /users/42?a=1&b=x%20y HTTP/1.1\r\nHost: h.test:8080\r\n\r\nGET /users/a%2Fb HTTP/1.1\r\nHost: h.test\r\n\r\nGET /req HTTP/1.1\r\nHost: h.test\r\n\r\n');
      const [a, b, r] = await c.waitResponses(3);
      assert.equal(JSON.parse(a.body), { id: '42', q: { a: '1', b: 'x y' }, path: '/users/42', href: 'http://h.test:8080/users/42?a=1&b=x%20y' });
      assert.equal(JSON.parse(b.body).path, '/users/a%2Fb');
      assert.equal(JSON.parse(r.body), { same: true, runtime: { name: 'node' } });
    });
  } finally {
    restoreGlobals();
  }
  assert.is(seen.length, 2);
  for (const u of seen) assert.ok(u instanceof LightURL);
});

Light.run();
