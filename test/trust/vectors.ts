// The trust-stage vector table: (peer, options, raw header lines) → what the app sees.
//
// Exported so that the socket-level suite can replay the same table over real
// connections. Peers other than loopback can be produced there with a PROXY v1 line
// (`PROXY TCP4 <peer> 127.0.0.1 <port> 80\r\n`, proxyProtocol on, loopback trusted
// for the TCP hop): `replayable` says whether a vector's options allow that (its
// trustedProxies must still trust 127.0.0.1 or be a hop count/'*', and not be a
// function that distinguishes the TCP hop).
import { Trust, type TrustOptions } from '../../src/trust/index.js';
import type { ScopeType } from '../../src/types.js';

export interface TrustExpectation {
  /** scope.client: [address, port]; the peer tuple itself when nothing was resolved. */
  client: [string, number] | null;
  scheme: string;
  /** scope.forwardedHost. */
  host: string | null;
  /** scope.forwardedPort (-1: none). */
  port: number;
  rootPath: string;
}

export interface TrustVector {
  name: string;
  /** scope.peer: the TCP (or PROXY-protocol) peer. */
  peer: [string, number] | null;
  options: TrustOptions;
  /** Raw 'Name: value' header lines, in order. */
  headers: string[];
  type: ScopeType;
  expect: TrustExpectation;
}

const PORT = 50000;
const LOOP: [string, number] = ['127.0.0.1', PORT];
const OUTSIDE: [string, number] = ['203.0.113.9', PORT];
const TEN: TrustOptions = { trustedProxies: ['loopback', '10.0.0.0/8'] };
/** Host and port headers count only when listed (not by default). */
const HOST: TrustOptions = { forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-port' };
/** RFC 7239 Forwarded counts only when listed, and then alone. */
const FWD: TrustOptions = { forwardedHeaders: 'forwarded' };
const TEN_FWD: TrustOptions = { ...TEN, forwardedHeaders: ['forwarded'] };
const PREFIX: TrustOptions = { forwardedHeaders: ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-prefix'] };
const REAL: TrustOptions = { forwardedHeaders: ['x-real-ip', 'x-forwarded-proto'] };

function v(name: string, peer: [string, number] | null, options: TrustOptions, headers: string[], expect: Partial<TrustExpectation> = {}, type: ScopeType = 'http'): TrustVector {
  return {
    name,
    peer,
    options,
    headers,
    type,
    expect: {
      client: expect.client !== undefined ? expect.client : peer,
      scheme: expect.scheme ?? (type === 'websocket' ? 'ws' : 'http'),
      host: expect.host !== undefined ? expect.host : null,
      port: expect.port ?? -1,
      rootPath: expect.rootPath ?? '',
    },
  };
}

export const TRUST_VECTORS: readonly TrustVector[] = [
  // --- no headers, untrusted peers, stage off -------------------------------------------------
  v('no forwarding headers: the peer is the client', LOOP, {}, ['Host: api.example.com']),
  v('spoofed X-Forwarded-* from an untrusted peer are ignored', OUTSIDE, {}, [
    'X-Forwarded-For: 1.2.3.4',
    'X-Forwarded-Proto: https',
    'X-Forwarded-Host: evil.example',
    'X-Forwarded-Port: 443',
    'X-Forwarded-Prefix: /evil',
  ]),
  v('spoofed Forwarded from an untrusted peer is ignored', OUTSIDE, {}, ['Forwarded: for=1.2.3.4;proto=https;host=evil.example']),
  v('spoofed X-Real-IP from an untrusted peer is ignored', OUTSIDE, REAL, ['X-Real-IP: 1.2.3.4']),
  v('127.0.0.2 is loopback too: trusted by default', ['127.0.0.2', PORT], {}, ['X-Forwarded-For: 198.51.100.1'], {
    client: ['198.51.100.1', 0],
  }),
  v(
    'proxyHeaders false ignores headers, the static root path still applies',
    LOOP,
    { proxyHeaders: false, rootPath: '/api/' },
    ['X-Forwarded-For: 198.51.100.1', 'X-Forwarded-Proto: https'],
    {
      rootPath: '/api',
    },
  ),
  v('a null peer (no address) trusts nothing', null, { trustedProxies: '*' }, ['X-Forwarded-For: 198.51.100.1']),

  // --- X-Forwarded-For chains --------------------------------------------------------------------
  v('one hop from the loopback proxy', LOOP, {}, ['X-Forwarded-For: 198.51.100.1'], { client: ['198.51.100.1', 0] }),
  v('3 hops, inner proxies trusted: first untrusted from the right', LOOP, TEN, ['X-Forwarded-For: 198.51.100.1, 10.0.0.1, 10.0.0.2'], {
    client: ['198.51.100.1', 0],
  }),
  v('3 hops, only loopback trusted: the rightmost is the client', LOOP, {}, ['X-Forwarded-For: 198.51.100.1, 10.0.0.1, 10.0.0.2'], {
    client: ['10.0.0.2', 0],
  }),
  v('a spoofed leftmost entry is never the client', LOOP, {}, ['X-Forwarded-For: 6.6.6.6, 198.51.100.1'], { client: ['198.51.100.1', 0] }),
  v('repeated lines are one list in order', LOOP, TEN, ['X-Forwarded-For: 198.51.100.1, 10.0.0.1', 'Accept: */*', 'X-Forwarded-For: 10.0.0.2'], {
    client: ['198.51.100.1', 0],
  }),
  v('repeated lines: the spoof in the first line stays left', LOOP, {}, ['X-Forwarded-For: 6.6.6.6', 'X-Forwarded-For: 198.51.100.1'], {
    client: ['198.51.100.1', 0],
  }),
  v('empty items skipped, SP/HTAB trimmed', LOOP, TEN, ['X-Forwarded-For: , 198.51.100.1 ,\t,  10.0.0.1 ,'], { client: ['198.51.100.1', 0] }),
  v('every hop trusted: the leftmost is the client', LOOP, TEN, ['X-Forwarded-For: 10.0.0.5, 10.0.0.1'], { client: ['10.0.0.5', 0] }),
  v('ip:port item', LOOP, {}, ['X-Forwarded-For: 198.51.100.1:4711'], { client: ['198.51.100.1', 4711] }),
  v('[v6]:port item', LOOP, {}, ['X-Forwarded-For: [2001:db8::1]:4711'], { client: ['2001:db8::1', 4711] }),
  v('bare IPv6 item', LOOP, {}, ['X-Forwarded-For: 2001:db8::1'], { client: ['2001:db8::1', 0] }),
  v('[v6] item without port', LOOP, {}, ['X-Forwarded-For: [2001:db8::2]'], { client: ['2001:db8::2', 0] }),
  v('IPv6 loopback peer is trusted by default', ['::1', PORT], {}, ['X-Forwarded-For: 198.51.100.1'], { client: ['198.51.100.1', 0] }),
  v('IPv4-mapped loopback peer is trusted by default', ['::ffff:127.0.0.1', PORT], {}, ['X-Forwarded-For: 198.51.100.1'], {
    client: ['198.51.100.1', 0],
  }),
  v('IPv4-mapped peer matches an IPv4 CIDR', ['::ffff:10.0.0.1', PORT], { trustedProxies: '10.0.0.0/8' }, ['X-Forwarded-For: 198.51.100.1'], {
    client: ['198.51.100.1', 0],
  }),
  v('IPv4-mapped item matches an IPv4 CIDR', LOOP, TEN, ['X-Forwarded-For: 198.51.100.1, ::ffff:10.0.0.3'], { client: ['198.51.100.1', 0] }),
  v('IPv6 peer in uniquelocal', ['fd00::1', PORT], { trustedProxies: 'uniquelocal' }, ['X-Forwarded-For: 2001:db8::7'], { client: ['2001:db8::7', 0] }),
  v('zone stripped from a link-local peer', ['fe80::1%eth0', PORT], { trustedProxies: 'linklocal' }, ['X-Forwarded-For: 198.51.100.1'], {
    client: ['198.51.100.1', 0],
  }),
  v('zone refused inside a header item', LOOP, {}, ['X-Forwarded-For: fe80::1%eth0']),
  v('untrusted IPv6 peer outside the ranges', ['2001:db8::99', PORT], TEN, ['X-Forwarded-For: 198.51.100.1']),

  // --- garbage -------------------------------------------------------------------------------
  v("'unknown' is not an address", LOOP, {}, ['X-Forwarded-For: unknown']),
  v('garbage stops the walk at the last valid address', LOOP, TEN, ['X-Forwarded-For: 198.51.100.1, garbage, 10.0.0.1'], { client: ['10.0.0.1', 0] }),
  v("'127.1' is not an address", LOOP, {}, ['X-Forwarded-For: 127.1']),
  v("'0x7f.0.0.1' is not an address", LOOP, {}, ['X-Forwarded-For: 0x7f.0.0.1']),
  v("'2130706433' is not an address", LOOP, {}, ['X-Forwarded-For: 2130706433']),
  v("'010.0.0.1' (octal) is not an address", LOOP, {}, ['X-Forwarded-For: 010.0.0.1']),
  v('out-of-range octet', LOOP, {}, ['X-Forwarded-For: 198.51.100.1, 256.1.1.1']),
  v('port over 65535', LOOP, {}, ['X-Forwarded-For: 198.51.100.1:99999']),
  v('unclosed bracket', LOOP, {}, ['X-Forwarded-For: [2001:db8::1']),
  v('two :: in an IPv6 item', LOOP, {}, ['X-Forwarded-For: 2001::db8::1']),
  v('an obfuscated id is not an X-Forwarded-For item', LOOP, {}, ['X-Forwarded-For: _hidden']),

  // --- Forwarded (RFC 7239) ------------------------------------------------------------------
  v('Forwarded for/proto/host', LOOP, FWD, ['Forwarded: for=198.51.100.17;proto=https;host=api.example.com'], {
    client: ['198.51.100.17', 0],
    scheme: 'https',
    host: 'api.example.com',
  }),
  v('Forwarded quoted IPv6 with port', LOOP, FWD, ['Forwarded: for="[2001:db8::1]:4711"'], { client: ['2001:db8::1', 4711] }),
  v('Forwarded quoted IPv4 with port', LOOP, FWD, ['Forwarded: for="198.51.100.1:8080"'], { client: ['198.51.100.1', 8080] }),
  v('Forwarded for=unknown keeps the peer', LOOP, FWD, ['Forwarded: for=unknown;proto=https'], { scheme: 'https' }),
  v('Forwarded obfuscated id stops the walk', LOOP, TEN_FWD, ['Forwarded: for=_hidden, for=10.0.0.1'], { client: ['10.0.0.1', 0] }),
  v('Forwarded obfuscated rightmost keeps the peer', LOOP, FWD, ['Forwarded: for=198.51.100.1, for=_proxy1']),
  v('Forwarded obfuscated port', LOOP, FWD, ['Forwarded: for="198.51.100.1:_p1"'], { client: ['198.51.100.1', 0] }),
  v('Forwarded quoted comma is one element', LOOP, FWD, ['Forwarded: for="198.51.100.1, for=6.6.6.6"']),
  v('Forwarded unquoted IPv6 is a syntax error', LOOP, FWD, ['Forwarded: for=2001:db8::1']),
  v('Forwarded duplicate for= invalidates the element', LOOP, FWD, ['Forwarded: for=198.51.100.1;for=198.51.100.2']),
  v('Forwarded unterminated quote', LOOP, FWD, ['Forwarded: for="198.51.100.1']),
  v('Forwarded names are case-insensitive, values lowercased', LOOP, FWD, ['Forwarded: For=198.51.100.1;PROTO=HTTPS;Host=API.Example.COM'], {
    client: ['198.51.100.1', 0],
    scheme: 'https',
    host: 'api.example.com',
  }),
  v('Forwarded host with port (quoted)', LOOP, FWD, ['Forwarded: for=198.51.100.1;host="example.com:8443"'], {
    client: ['198.51.100.1', 0],
    host: 'example.com:8443',
  }),
  v('Forwarded multi-line, proto of the chosen element', LOOP, TEN_FWD, ['Forwarded: for=198.51.100.1;proto=https', 'Forwarded: for=10.0.0.1;proto=http'], {
    client: ['198.51.100.1', 0],
    scheme: 'https',
  }),
  v('Forwarded: chosen element without proto falls back to the rightmost', LOOP, TEN_FWD, ['Forwarded: for=198.51.100.1, for=10.0.0.1;proto=https'], {
    client: ['198.51.100.1', 0],
    scheme: 'https',
  }),
  v('Forwarded: proto in the untrusted part is ignored', LOOP, FWD, ['Forwarded: for=6.6.6.6;proto=https;host=evil.example, for=198.51.100.1'], {
    client: ['198.51.100.1', 0],
  }),
  v('Forwarded: OWS around ; and , tolerated, extensions ignored', LOOP, TEN_FWD, ['Forwarded: for=198.51.100.1 ; ext=1 ;proto=https ,  for=10.0.0.1'], {
    client: ['198.51.100.1', 0],
    scheme: 'https',
  }),
  v('default: Forwarded is never read, X-Forwarded-For/-Proto are', LOOP, {}, ['Forwarded: for=198.51.100.17;proto=http', 'X-Forwarded-For: 6.6.6.6', 'X-Forwarded-Proto: https'], {
    client: ['6.6.6.6', 0],
    scheme: 'https',
  }),
  v(
    'issue 11: a client-added Forwarded behind the nginx preset changes nothing',
    LOOP,
    { proxy: 'nginx' },
    ['Forwarded: for=127.0.0.1;proto=http', 'X-Forwarded-For: 198.51.100.1', 'X-Forwarded-Proto: https'],
    {
      client: ['198.51.100.1', 0],
      scheme: 'https',
    },
  ),
  v("'forwarded' ignores X-Forwarded-*", LOOP, { forwardedHeaders: 'forwarded' }, ['X-Forwarded-For: 198.51.100.2', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: a.example']),

  // --- scheme ----------------------------------------------------------------------------
  v('X-Forwarded-Proto https', LOOP, {}, ['X-Forwarded-For: 198.51.100.1', 'X-Forwarded-Proto: https'], { client: ['198.51.100.1', 0], scheme: 'https' }),
  v('X-Forwarded-Proto without X-Forwarded-For', LOOP, {}, ['X-Forwarded-Proto: https'], { scheme: 'https' }),
  v('X-Forwarded-Proto is lowercased', LOOP, {}, ['X-Forwarded-Proto: HTTPS'], { scheme: 'https' }),
  v("'javascript' is not a scheme", LOOP, {}, ['X-Forwarded-Proto: javascript']),
  v('proto list aligned with the chain: entry of the client hop', LOOP, TEN, ['X-Forwarded-For: 198.51.100.1, 10.0.0.1', 'X-Forwarded-Proto: https, http'], {
    client: ['198.51.100.1', 0],
    scheme: 'https',
  }),
  v('proto list not aligned: the rightmost', LOOP, TEN, ['X-Forwarded-For: 198.51.100.1, 10.0.0.1, 10.0.0.2', 'X-Forwarded-Proto: https, http'], {
    client: ['198.51.100.1', 0],
    scheme: 'http',
  }),
  v('proto list: never the leftmost', LOOP, {}, ['X-Forwarded-For: 198.51.100.1', 'X-Forwarded-Proto: https, http'], {
    client: ['198.51.100.1', 0],
    scheme: 'http',
  }),
  v('proto over repeated lines: the rightmost', LOOP, {}, ['X-Forwarded-Proto: http', 'X-Forwarded-Proto: https'], { scheme: 'https' }),
  v('WebSocket scope: https → wss', LOOP, {}, ['X-Forwarded-Proto: https'], { scheme: 'wss' }, 'websocket'),
  v("WebSocket scope: Traefik's 'wss'", LOOP, {}, ['X-Forwarded-Proto: wss'], { scheme: 'wss' }, 'websocket'),
  v("HTTP scope: 'ws' reads as plain http", LOOP, {}, ['X-Forwarded-Proto: ws']),

  // --- host and port ---------------------------------------------------------------------
  v('X-Forwarded-Host/-Port from a trusted proxy are ignored by default', LOOP, {}, ['X-Forwarded-Host: evil.example', 'X-Forwarded-Port: 8443']),
  v('X-Forwarded-Host/-Port are ignored behind the nginx preset', LOOP, { proxy: 'nginx' }, ['X-Forwarded-Host: evil.example', 'X-Forwarded-Port: 8443']),
  v('Forwarded host= is ignored by default', LOOP, {}, ['Forwarded: for=198.51.100.17;host=evil.example']),
  v('the caddy preset reads X-Forwarded-Host, not -Port', LOOP, { proxy: 'caddy' }, ['X-Forwarded-Host: api.example.com', 'X-Forwarded-Port: 8443'], { host: 'api.example.com' }),
  v('X-Forwarded-Port alone (aws-alb preset)', LOOP, { proxy: 'aws-alb' }, ['X-Forwarded-Host: evil.example', 'X-Forwarded-Port: 8443'], { port: 8443 }),
  v('X-Forwarded-Host', LOOP, HOST, ['X-Forwarded-Host: api.example.com'], { host: 'api.example.com' }),
  v('X-Forwarded-Host is lowercased', LOOP, HOST, ['X-Forwarded-Host: API.Example.com:8443'], { host: 'api.example.com:8443' }),
  v('X-Forwarded-Host IPv6 literal with port', LOOP, HOST, ['X-Forwarded-Host: [2001:db8::1]:8443'], { host: '[2001:db8::1]:8443' }),
  v('X-Forwarded-Host with a path is refused', LOOP, HOST, ['X-Forwarded-Host: evil.example/path']),
  v('X-Forwarded-Host with userinfo is refused', LOOP, HOST, ['X-Forwarded-Host: user@evil.example']),
  v('X-Forwarded-Host with an empty port is refused', LOOP, HOST, ['X-Forwarded-Host: example.com:']),
  v('X-Forwarded-Host list: the rightmost', LOOP, HOST, ['X-Forwarded-Host: a.example, b.example'], { host: 'b.example' }),
  v('X-Forwarded-Port', LOOP, HOST, ['X-Forwarded-Port: 8443'], { port: 8443 }),
  v('X-Forwarded-Port 0 and garbage refused', LOOP, HOST, ['X-Forwarded-Port: 0', 'X-Forwarded-Port: 44x3']),
  v(
    'ALB-style headers together',
    ['10.0.1.17', PORT],
    { trustedProxies: '10.0.0.0/16', proxy: 'aws-alb' },
    ['X-Forwarded-For: 198.51.100.1', 'X-Forwarded-Proto: https', 'X-Forwarded-Port: 443'],
    {
      client: ['198.51.100.1', 0],
      scheme: 'https',
      port: 443,
    },
  ),

  // --- hop counts ------------------------------------------------------------------------
  v('hop count 1: the rightmost, from any peer', OUTSIDE, { trustedProxies: 1 }, ['X-Forwarded-For: 198.51.100.1, 198.51.100.2'], { client: ['198.51.100.2', 0] }),
  v('hop count 2: step back exactly two', OUTSIDE, { trustedProxies: 2 }, ['X-Forwarded-For: 198.51.100.1, 198.51.100.2, 198.51.100.3'], {
    client: ['198.51.100.2', 0],
  }),
  v('hop count longer than the chain keeps the peer', OUTSIDE, { trustedProxies: 3 }, ['X-Forwarded-For: 198.51.100.1, 198.51.100.2']),
  v('hop count 0 trusts nothing', LOOP, { trustedProxies: 0 }, ['X-Forwarded-For: 198.51.100.1']),
  v('hop count: garbage inside the counted hops keeps the last valid', OUTSIDE, { trustedProxies: 2 }, ['X-Forwarded-For: 198.51.100.1, junk']),
  v('hop count with Forwarded', OUTSIDE, { trustedProxies: 1, forwardedHeaders: 'forwarded' }, ['Forwarded: for=198.51.100.1;proto=https, for=198.51.100.2'], {
    client: ['198.51.100.2', 0],
  }),
  v("hop count from the env string '2'", OUTSIDE, { trustedProxies: '2' }, ['X-Forwarded-For: 198.51.100.1, 198.51.100.2, 198.51.100.3'], {
    client: ['198.51.100.2', 0],
  }),

  // --- '*' and functions -----------------------------------------------------------------
  v("'*': every hop trusted, the leftmost", OUTSIDE, { trustedProxies: '*' }, ['X-Forwarded-For: 198.51.100.1, 198.51.100.2, 198.51.100.3'], {
    client: ['198.51.100.1', 0],
  }),
  v("'*' with garbage: the last valid", OUTSIDE, { trustedProxies: '*' }, ['X-Forwarded-For: 198.51.100.1, junk, 198.51.100.3'], {
    client: ['198.51.100.3', 0],
  }),
  v(
    'function matcher by address',
    LOOP,
    { trustedProxies: (a) => a === '127.0.0.1' || a.startsWith('10.') },
    ['X-Forwarded-For: 198.51.100.1, 10.1.1.1', 'X-Forwarded-Proto: https'],
    { client: ['198.51.100.1', 0], scheme: 'https' },
  ),
  v('function matcher by hop: every hop trusted → the leftmost', OUTSIDE, { trustedProxies: (_a, hop) => hop < 2 }, ['X-Forwarded-For: 198.51.100.1'], {
    client: ['198.51.100.1', 0],
  }),
  v('function matcher refusing the peer', LOOP, { trustedProxies: () => false }, ['X-Forwarded-For: 198.51.100.1']),

  // --- root path -------------------------------------------------------------------------
  v("static rootPath '/api/' → '/api', and it wins over the prefix header", LOOP, { ...PREFIX, rootPath: '/api/' }, ['X-Forwarded-Prefix: /other'], { rootPath: '/api' }),
  v("static rootPath '/' → ''", LOOP, { rootPath: '/' }, []),
  v('static rootPath applies to untrusted peers too', OUTSIDE, { rootPath: '/api/v1' }, [], { rootPath: '/api/v1' }),
  v('issue 11: X-Forwarded-Prefix is not read by default', LOOP, {}, ['X-Forwarded-Prefix: /evil']),
  v('X-Forwarded-Prefix is not read behind the nginx or traefik presets', LOOP, { proxy: 'traefik' }, ['X-Forwarded-Prefix: /evil']),
  v('X-Forwarded-Prefix from a trusted proxy', LOOP, PREFIX, ['X-Forwarded-Prefix: /api'], { rootPath: '/api' }),
  v('X-Forwarded-Prefix trailing slash removed', LOOP, PREFIX, ['X-Forwarded-Prefix: /api/'], { rootPath: '/api' }),
  v("X-Forwarded-Prefix '/' is no prefix", LOOP, PREFIX, ['X-Forwarded-Prefix: /']),
  v('X-Forwarded-Prefix without a leading slash is ignored', LOOP, PREFIX, ['X-Forwarded-Prefix: api']),
  v("X-Forwarded-Prefix with '..' is ignored", LOOP, PREFIX, ['X-Forwarded-Prefix: /a/../b']),
  v("X-Forwarded-Prefix with '//' is ignored", LOOP, PREFIX, ['X-Forwarded-Prefix: //evil.example']),
  v('X-Forwarded-Prefix with an encoded dot is ignored', LOOP, PREFIX, ['X-Forwarded-Prefix: /api/%2e%2e']),
  v('X-Forwarded-Prefix with a backslash is ignored', LOOP, PREFIX, ['X-Forwarded-Prefix: /\\evil.example']),
  v('X-Forwarded-Prefix with a control character is ignored', LOOP, PREFIX, ['X-Forwarded-Prefix: /a\tb']),
  v('X-Forwarded-Prefix list: the rightmost', LOOP, PREFIX, ['X-Forwarded-Prefix: /a, /b'], { rootPath: '/b' }),

  // --- X-Real-IP -------------------------------------------------------------------------
  v('X-Real-IP when configured', LOOP, REAL, ['X-Real-IP: 198.51.100.9', 'X-Forwarded-For: 6.6.6.6, 198.51.100.8'], { client: ['198.51.100.9', 0] }),
  v('X-Real-IP is ignored by default', LOOP, {}, ['X-Real-IP: 198.51.100.9']),
  v('X-Real-IP garbage keeps the peer (X-Forwarded-For is not read)', LOOP, REAL, ['X-Real-IP: junk', 'X-Forwarded-For: 198.51.100.1']),
  v('X-Real-IP repeated is ambiguous: the peer stays', LOOP, REAL, ['X-Real-IP: 6.6.6.6', 'X-Real-IP: 198.51.100.9']),

  // --- the seed page's Nginx configuration, as the app receives it ------------------------
  v(
    'Nginx (seed page): Host, X-Real-IP, X-Forwarded-For, X-Forwarded-Proto',
    LOOP,
    {},
    ['Host: api.example.com', 'X-Real-IP: 198.51.100.1', 'X-Forwarded-For: 6.6.6.6, 198.51.100.1', 'X-Forwarded-Proto: https', 'Connection: close'],
    { client: ['198.51.100.1', 0], scheme: 'https' },
  ),
];

/**
 * Whether a vector can be replayed over a loopback socket: its peer is 127.0.0.1, or
 * it can be carried in a PROXY v1 line that the options let 127.0.0.1 hand over
 * (the TCP hop trusted; no function matcher, which would see that extra hop; no zone).
 */
export function replayable(vector: TrustVector): boolean {
  if (vector.peer === null || typeof vector.options.trustedProxies === 'function') return false;
  if (vector.peer[0] === '127.0.0.1') return true;
  if (vector.peer[0].includes('%')) return false;
  return new Trust(vector.options, null).isTrusted('127.0.0.1');
}
