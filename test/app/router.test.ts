import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Router, extractParams, parsePattern } from '../../src/app/router.js';

function router(...patterns: string[]): Router<string> {
  const r = new Router<string>();
  for (const p of patterns) r.add('GET', p, p);
  return r;
}

function find(r: Router<string>, path: string, method = 'GET'): string | null {
  return r.find(method, path)?.handler ?? null;
}

test('Router.find: static routes by exact path and method', () => {
  const r = router('/', '/items', '/items/', '/about');
  r.add('POST', '/items', 'post');
  assert.is(find(r, '/'), '/');
  assert.is(find(r, '/items'), '/items');
  assert.is(find(r, '/items/'), '/items/');
  assert.is(find(r, '/items', 'POST'), 'post');
  assert.is(find(r, '/items', 'PUT'), null);
  assert.is(find(r, '/ITEMS'), null);
  assert.is(find(r, '/nope'), null);
});

test('Router.find: a static route returns the same object, nothing made per lookup', () => {
  const r = router('/a');
  const first = r.find('GET', '/a');
  assert.ok(first !== null);
  assert.is(r.find('GET', '/a'), first);
  assert.is(extractParams(first, '/a'), extractParams(first, '/a'), 'shared empty params');
  assert.ok(Object.isFrozen(extractParams(first, '/a')));
});

test('Router.find: parameters match one non-empty segment', () => {
  const r = router('/items/:id', '/items/:id/edit', '/users/:uid/posts/:pid');
  assert.is(find(r, '/items/42'), '/items/:id');
  assert.is(find(r, '/items/42/edit'), '/items/:id/edit');
  assert.is(find(r, '/items/'), null);
  assert.is(find(r, '/items'), null);
  assert.is(find(r, '/items/42/'), null);
  assert.is(find(r, '/items/42/other'), null);
  const route = r.find('GET', '/users/7/posts/abc')!;
  assert.equal(extractParams(route, '/users/7/posts/abc'), { uid: '7', pid: 'abc' });
});

test('Router.find: static text beats a parameter, a parameter beats *, with backtracking', () => {
  const r = router('/items/new', '/items/:id', '/items/:id/x', '/items/new/y', '/files/*', '/files/special');
  assert.is(find(r, '/items/new'), '/items/new');
  assert.is(find(r, '/items/newer'), '/items/:id');
  assert.is(find(r, '/items/new/x'), '/items/:id/x', 'backtracks from the static branch');
  assert.is(find(r, '/items/new/y'), '/items/new/y');
  assert.is(find(r, '/files/special'), '/files/special');
  assert.is(find(r, '/files/a/b/c'), '/files/*');
  assert.is(find(r, '/files/'), '/files/*');
  assert.equal(extractParams(r.find('GET', '/files/a/b')!, '/files/a/b'), { '*': 'a/b' });
});

test('Router.find: shared prefixes split correctly', () => {
  const r = router('/search/:q', '/settings/:k', '/se/:x', '/s');
  assert.is(find(r, '/search/a'), '/search/:q');
  assert.is(find(r, '/settings/b'), '/settings/:k');
  assert.is(find(r, '/se/c'), '/se/:x');
  assert.is(find(r, '/s'), '/s');
  assert.is(find(r, '/sea/c'), null);
});

test("Router.find: ':' starts a parameter only at a segment start; parameters take decoded text", () => {
  const r = router('/v:version/info');
  assert.is(find(r, '/v2/info'), null);
  assert.is(find(r, '/v:version/info'), '/v:version/info');
  const p = router('/items/:name');
  assert.equal(extractParams(p.find('GET', '/items/a b')!, '/items/a b'), { name: 'a b' });
});

test('Router.add: malformed or duplicate patterns throw at start-up', () => {
  assert.throws(() => parsePattern('items'), /must start with '\/'/);
  assert.throws(() => parsePattern('/items/:'), /parameter name/);
  assert.throws(() => parsePattern('/items/:id-x'), /must end at '\/'/);
  assert.throws(() => parsePattern('/a/:id/b/:id'), /appears twice/);
  assert.throws(() => parsePattern('/a/*/b'), /last segment/);
  const r = router('/a', '/b/:id');
  assert.throws(() => r.add('GET', '/a', 'again'), /already defined/);
  assert.throws(() => r.add('GET', '/b/:other', 'again'), /conflicts/);
});

test('Router.allowed: methods that have the path', () => {
  const r = router('/a', '/b/:id');
  r.add('POST', '/a', 'x');
  r.add('DELETE', '/b/:id', 'y');
  assert.equal(r.allowed('/a').sort(), ['GET', 'POST']);
  assert.equal(r.allowed('/b/1').sort(), ['DELETE', 'GET']);
  assert.equal(r.allowed('/c'), []);
});

test.run();
