import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Scope } from '../../src/scope/scope.js';
import { PRESETS, PROXY_STATUS, TRUST_ALL_WARNING, Trust, parseProxyHeader, passedThroughWarning } from '../../src/trust/index.js';
import { makeScope, memoryLogger } from './helpers.js';
import { TRUST_VECTORS, replayable } from './vectors.js';
import { routePath } from '../../src/scope/route-path.js';

test('the vector table has at least 40 vectors with unique names', () => {
  assert.ok(TRUST_VECTORS.length >= 40, `${TRUST_VECTORS.length} vectors`);
  const names = new Set(TRUST_VECTORS.map((v) => v.name));
  assert.is(names.size, TRUST_VECTORS.length);
});

for (const vector of TRUST_VECTORS) {
  test(`Trust.resolve: ${vector.name}`, () => {
    const trust = new Trust(vector.options, memoryLogger());
    const scope = makeScope(vector.peer, vector.headers, vector.type);
    trust.resolve(scope);
    const seen = { client: scope.client, scheme: scope.scheme, host: scope.forwardedHost, port: scope.forwardedPort, rootPath: scope.rootPath };
    assert.equal(seen, vector.expect);
    // The peer stays readable for logging.
    assert.equal(scope.peer, vector.peer);
  });
}

test('Trust.resolve: nothing resolved leaves the very same client tuple', () => {
  const trust = new Trust({}, null);
  const scope = makeScope(['203.0.113.9', 1], ['X-Forwarded-For: 1.2.3.4']);
  const before = scope.client;
  trust.resolve(scope);
  assert.ok(scope.client === before);
});

test('Trust.resolve: one pooled scope reused for many requests carries nothing over', () => {
  const trust = new Trust({ trustedProxies: ['loopback', '10.0.0.0/8'] }, null);
  const scope = new Scope();
  for (let round = 0; round < 3; round++) {
    for (const vector of TRUST_VECTORS) {
      const own = new Trust(vector.options, memoryLogger());
      makeScope(vector.peer, vector.headers, vector.type, scope);
      own.resolve(scope);
      assert.equal(scope.client, vector.expect.client, vector.name);
      assert.is(scope.rootPath, vector.expect.rootPath, vector.name);
    }
    makeScope(['127.0.0.1', 1], [], 'http', scope);
    trust.resolve(scope);
    assert.equal(scope.client, ['127.0.0.1', 1]);
    assert.is(scope.scheme, 'http');
    assert.is(scope.forwardedHost, null);
    assert.is(scope.forwardedPort, -1);
    assert.is(scope.rootPath, '');
  }
});

test('Trust.resolve: scope.server and the route path follow the resolved host and root path', () => {
  const trust = new Trust({ forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-port,x-forwarded-prefix' }, null);
  const scope = makeScope(['127.0.0.1', 1], ['Host: internal:8000', 'X-Forwarded-Host: api.example.com', 'X-Forwarded-Proto: https', 'X-Forwarded-Prefix: /api']);
  trust.resolve(scope);
  assert.equal(scope.server, ['api.example.com', 443]);
  // The helper's request target is /api/items: already under the root path, not doubled.
  assert.is(scope.rootPath, '/api');
  assert.is(scope.path, '/api/items');
  assert.is(routePath(scope), '/items');
});

test('Trust.resolve: long chains beyond the Forwarded table stop safely', () => {
  const trust = new Trust({ trustedProxies: '*', forwardedHeaders: 'forwarded' }, memoryLogger());
  const elements = Array.from({ length: 100 }, (_, i) => `for=10.0.${i >> 8}.${i & 255}`).join(', ');
  const scope = makeScope(['127.0.0.1', 1], ['Forwarded: ' + elements]);
  trust.resolve(scope);
  // 64 elements are kept; the walk stops at the leftmost kept one rather than reading further.
  assert.equal(scope.client, ['10.0.0.36', 0]);
});

test('Trust.resolve: long X-Forwarded-For chains are walked in full', () => {
  const trust = new Trust({ trustedProxies: '*' }, memoryLogger());
  const items = Array.from({ length: 300 }, (_, i) => `10.${i >> 8}.0.${i & 255}`).join(',');
  const scope = makeScope(['127.0.0.1', 1], ['X-Forwarded-For: ' + items]);
  trust.resolve(scope);
  assert.equal(scope.client, ['10.0.0.0', 0]);
});

test('Trust.resolve: one Trust, clients of the same length in turn, each gets its own address (issue 13)', () => {
  // The client string is reused while the bytes repeat (resolve.ts clientText): never across different bytes.
  const trust = new Trust({ trustedProxies: ['loopback', '10.0.0.0/8'] }, null);
  const clients = ['203.0.113.7', '203.0.113.8', '198.51.10.7', '203.0.113.7'];
  for (let round = 0; round < 2; round++) {
    for (const client of clients) {
      const scope = makeScope(['127.0.0.1', 1], [`X-Forwarded-For: ${client}, 10.0.0.2`]);
      trust.resolve(scope);
      assert.equal(scope.client, [client, 0]);
    }
  }
});

test('Trust.resolve: X-Forwarded-Proto shorter or as long as the walked X-Forwarded-For (issue 13)', () => {
  const trust = new Trust({ trustedProxies: ['loopback', '10.0.0.0/8'] }, null);
  // One proto for a 3-hop chain: the rightmost (the list is not as long as X-Forwarded-For).
  let scope = makeScope(['127.0.0.1', 1], ['X-Forwarded-For: 198.51.100.23, 10.0.0.1, 10.0.0.2', 'X-Forwarded-Proto: https']);
  trust.resolve(scope);
  assert.equal(scope.client, ['198.51.100.23', 0]);
  assert.is(scope.scheme, 'https');
  // As long: the client's own entry.
  scope = makeScope(['127.0.0.1', 1], ['X-Forwarded-For: 198.51.100.23, 10.0.0.1, 10.0.0.2', 'X-Forwarded-Proto: http, https, https']);
  trust.resolve(scope);
  assert.is(scope.scheme, 'http');
  // Two entries, the client found at hop 2 of 3 items: not as long, so the rightmost.
  scope = makeScope(['127.0.0.1', 1], ['X-Forwarded-For: 10.0.0.9, 198.51.100.23, 10.0.0.2', 'X-Forwarded-Proto: http, https']);
  trust.resolve(scope);
  assert.equal(scope.client, ['198.51.100.23', 0]);
  assert.is(scope.scheme, 'https');
});

test('Trust.resolve: never throws on hostile bytes', () => {
  const trust = new Trust({ trustedProxies: '*' }, memoryLogger());
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256) | 0;
  const alphabet = 'abcdef0123456789:.[]"\\;,=_ %\tforprotohost';
  for (let n = 0; n < 3000; n++) {
    let value = '';
    const len = rnd() % 40;
    for (let k = 0; k < len; k++) value += alphabet[rnd() % alphabet.length];
    const name = ['Forwarded', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-Prefix', 'X-Forwarded-Port'][n % 6];
    const scope = makeScope(['127.0.0.1', 1], [`${name}: ${value}`]);
    trust.resolve(scope);
    if (scope.client !== null && scope.client[0] !== '127.0.0.1') {
      // Whatever came out is a strict address.
      assert.ok(/^[0-9a-f:.]+$/i.test(scope.client[0]), JSON.stringify([value, scope.client]));
    }
  }
});

test("Trust: '*' logs exactly one warning at construction", () => {
  const logger = memoryLogger();
  const trust = new Trust({ trustedProxies: '*' }, logger);
  assert.equal(logger.warnings, [TRUST_ALL_WARNING]);
  for (let i = 0; i < 5; i++) trust.resolve(makeScope(['198.51.100.1', 1], ['X-Forwarded-For: 1.2.3.4']));
  assert.is(logger.warnings.length, 1);
  const quiet = memoryLogger();
  new Trust({}, quiet);
  new Trust({ trustedProxies: ['10.0.0.0/8'] }, quiet);
  assert.is(quiet.warnings.length, 0);
});

test('Trust: a preset warns once, at construction, about listed headers its proxy passes through', () => {
  const logger = memoryLogger();
  const trust = new Trust({ proxy: 'nginx', forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-prefix' }, logger);
  assert.equal(logger.warnings, [passedThroughWarning('nginx', ['x-forwarded-host', 'x-forwarded-prefix'])]);
  assert.match(logger.warnings[0], /x-forwarded-host, x-forwarded-prefix.*'nginx'.*passes through from the client/);
  trust.resolve(makeScope(['127.0.0.1', 1], ['X-Forwarded-Host: a.example']));
  assert.is(logger.warnings.length, 1);
  // the preset's own set, a subset of it, or no preset: quiet
  const quiet = memoryLogger();
  new Trust({ proxy: 'nginx' }, quiet);
  new Trust({ proxy: 'caddy', forwardedHeaders: 'x-forwarded-for,x-forwarded-host' }, quiet);
  new Trust({ forwardedHeaders: 'x-forwarded-for,x-forwarded-host' }, quiet);
  assert.equal(quiet.warnings, []);
  // a static root path makes a listed X-Forwarded-Prefix dead: said once
  const dead = memoryLogger();
  new Trust({ rootPath: '/api', forwardedHeaders: 'x-forwarded-for,x-forwarded-prefix' }, dead);
  assert.equal(dead.warnings, ['trust: rootPath /api is set, so X-Forwarded-Prefix is never read']);
});

test('Trust: the presets and the default read what docs/behind-a-proxy.md says', () => {
  assert.equal(new Trust({}, null).forwardedHeaders, ['x-forwarded-for', 'x-forwarded-proto']);
  assert.equal(new Trust({ proxy: 'nginx' }, null).forwardedHeaders, ['x-forwarded-for', 'x-forwarded-proto']);
  assert.equal(new Trust({ proxy: 'haproxy' }, null).forwardedHeaders, ['x-forwarded-for', 'x-forwarded-proto']);
  assert.equal(new Trust({ proxy: 'caddy' }, null).forwardedHeaders, ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);
  assert.equal(new Trust({ proxy: 'traefik' }, null).forwardedHeaders, ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']);
  assert.equal(new Trust({ proxy: 'aws-alb' }, null).forwardedHeaders, ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port']);
  // an explicit list replaces the preset's
  assert.equal(new Trust({ proxy: 'caddy', forwardedHeaders: ['x-forwarded-for'] }, null).forwardedHeaders, ['x-forwarded-for']);
  for (const [name, preset] of Object.entries(PRESETS)) {
    assert.ok(preset.source.length > 0, `${name} states its source`);
    assert.not.ok(preset.headers.includes('forwarded') || preset.headers.includes('x-forwarded-prefix'), `${name}: no common proxy overwrites these by default`);
  }
});

test('Trust: malformed options throw at construction', () => {
  assert.throws(() => new Trust({ trustedProxies: '10.0.0.0/33' }, null), /10\.0\.0\.0\/33/);
  assert.throws(() => new Trust({ rootPath: 'api' }, null), /must start with '\/'/);
  assert.throws(() => new Trust({ rootPath: '/a/../b' }, null), /\.\./);
  assert.throws(() => new Trust({ forwardedHeaders: 'x-real' }, null), /forwardedHeaders: unknown header 'x-real'/);
  assert.throws(() => new Trust({ forwardedHeaders: 'auto' }, null), /'auto' was removed/);
  assert.throws(() => new Trust({ proxy: 'apache' as never }, null), /proxy must be one of nginx, haproxy, caddy, traefik, aws-alb/);
  assert.throws(() => new Trust({ forwardedHost: true } as never, null), /forwardedHost was removed: list 'x-forwarded-host'/);
  assert.throws(() => new Trust({ realIpHeader: true } as never, null), /realIpHeader was removed: list 'x-real-ip'/);
});

test('Trust.isTrusted', () => {
  const trust = new Trust({}, null);
  assert.ok(trust.isTrusted('127.0.0.1'));
  assert.ok(trust.isTrusted('::1'));
  assert.ok(trust.isTrusted('::ffff:127.0.0.1'));
  assert.not.ok(trust.isTrusted('10.0.0.1'));
  assert.not.ok(trust.isTrusted('not an address'));
  const hops = new Trust({ trustedProxies: 2 }, null);
  assert.ok(hops.isTrusted('198.51.100.1'));
  assert.ok(hops.isTrusted('198.51.100.1', 1));
  assert.not.ok(hops.isTrusted('198.51.100.1', 2));
});

test('Trust.adoptProxyPeer: only from a trusted TCP peer, only with an address', () => {
  const trust = new Trust({ trustedProxies: '10.0.0.0/8' }, null);
  const header = parseProxyHeader(Buffer.from('PROXY TCP4 198.51.100.1 10.0.0.2 4711 80\r\n'), 0, 43);
  assert.is(header.status, PROXY_STATUS.DONE);
  assert.equal(trust.adoptProxyPeer(['10.0.0.5', 1234], header), ['198.51.100.1', 4711]);
  const tcp: [string, number] = ['203.0.113.9', 1234];
  assert.ok(trust.adoptProxyPeer(tcp, header) === tcp);
  const unknown = parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'), 0, 15);
  const lb: [string, number] = ['10.0.0.5', 1];
  assert.ok(trust.adoptProxyPeer(lb, unknown) === lb);
});

test('Trust.readProxy: the server hook (consumed / 0 / -1, peer replaced only from a trusted TCP peer)', () => {
  const trust = new Trust({}, null);
  const header = 'PROXY TCP4 198.51.100.1 127.0.0.1 4711 80\r\n';
  const line = Buffer.from(header + 'GET / HTTP/1.1\r\n');
  const lb: [string, number] = ['127.0.0.1', 5555];
  const read = trust.readProxy(line, lb);
  assert.equal([read.consumed, read.peer, read.secure], [header.length, ['198.51.100.1', 4711], false]);
  const outsider: [string, number] = ['203.0.113.9', 5555];
  const kept = trust.readProxy(line, outsider);
  assert.is(kept.consumed, header.length);
  assert.ok(kept.peer === outsider, 'an untrusted sender stays the peer');
  assert.is(trust.readProxy(line.subarray(0, 20), lb).consumed, 0);
  assert.is(trust.readProxy(Buffer.from('GET / HTTP/1.1\r\n'), lb).consumed, -1);
  assert.ok(lb[0] === '127.0.0.1' && lb[1] === 5555, 'nothing the caller passed is written');
  // The adopted peer then decides whether headers count: a real client is not a proxy.
  const scope = makeScope(['198.51.100.1', 4711], ['X-Forwarded-For: 6.6.6.6']);
  trust.resolve(scope);
  assert.equal(scope.client, ['198.51.100.1', 4711]);
});

test('replayable() marks loopback-adoptable vectors', () => {
  const count = TRUST_VECTORS.filter(replayable).length;
  assert.ok(count >= 40, `${count} replayable`);
});

test.run();
