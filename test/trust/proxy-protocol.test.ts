import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROXY_COMMAND, PROXY_FAMILY, PROXY_STATUS, PROXY_V1_MAX_LENGTH, PROXY_V2_SIGNATURE, parseProxyHeader, type ProxyResult } from '../../src/trust/proxy-protocol.js';
import type { App } from '../../src/types.js';
import { converse, parseWire, startOurs } from '../security/wire.js';
import { respond } from '../../src/server/respond.js';

const REQUEST = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';

function v2(command: number, family: number, addresses: number[], tlvs: number[] = []): Buffer {
  const body = [...addresses, ...tlvs];
  return Buffer.from([...PROXY_V2_SIGNATURE, 0x20 | command, family, body.length >> 8, body.length & 255, ...body]);
}
const ipv4Block = [198, 51, 100, 1, 10, 0, 0, 2, 0x12, 0x67, 0x00, 0x50]; // 198.51.100.1:4711 → 10.0.0.2:80
const ipv6Block = [
  0x20,
  0x01,
  0x0d,
  0xb8,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1, // 2001:db8::1
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0xff,
  0xff,
  10,
  0,
  0,
  2, // ::ffff:10.0.0.2
  0x01,
  0xbb,
  0x1f,
  0x90, // 443 → 8080
];

function parse(bytes: Buffer | string, start = 0, end?: number): ProxyResult {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  return parseProxyHeader(buf, start, end ?? buf.length);
}

/** Every proper prefix is NEED_MORE and the whole is `expected` — fed byte by byte as a socket might. */
function byteByByte(whole: Buffer): ProxyResult {
  for (let n = 0; n < whole.length; n++) {
    const r = parseProxyHeader(whole, 0, n);
    if (r.status !== PROXY_STATUS.NEED_MORE) return r;
  }
  return parseProxyHeader(whole, 0, whole.length);
}

test('parseProxyHeader v1: TCP4', () => {
  const line = 'PROXY TCP4 198.51.100.1 10.0.0.2 4711 80\r\n';
  const r = parse(line + REQUEST);
  assert.is(r.status, PROXY_STATUS.DONE);
  assert.is(r.consumed, line.length);
  assert.is(r.version, 1);
  assert.is(r.command, PROXY_COMMAND.PROXY);
  assert.is(r.family, PROXY_FAMILY.TCP4);
  assert.is(r.sourceAddress, '198.51.100.1');
  assert.is(r.sourcePort, 4711);
  assert.is(r.destinationAddress, '10.0.0.2');
  assert.is(r.destinationPort, 80);
});

test('parseProxyHeader v1: TCP6', () => {
  const line = 'PROXY TCP6 2001:db8::1 ::1 65535 443\r\n';
  const r = parse(line);
  assert.is(r.status, PROXY_STATUS.DONE);
  assert.is(r.family, PROXY_FAMILY.TCP6);
  assert.is(r.sourceAddress, '2001:db8::1');
  assert.is(r.sourcePort, 65535);
  assert.is(r.destinationAddress, '::1');
});

test('parseProxyHeader v1: UNKNOWN keeps the real endpoints', () => {
  for (const line of ['PROXY UNKNOWN\r\n', 'PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n']) {
    const r = parse(line + REQUEST);
    assert.is(r.status, PROXY_STATUS.DONE, line);
    assert.is(r.consumed, line.length);
    assert.is(r.family, PROXY_FAMILY.UNSPEC);
    assert.is(r.sourceAddress, null);
  }
});

test('parseProxyHeader v1: the longest line (107 bytes) passes, one more fails', () => {
  // The spec's worst case (§2.1): UNKNOWN with every optional field at full width.
  const longest = 'PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n';
  assert.is(longest.length, PROXY_V1_MAX_LENGTH);
  assert.is(parse(longest).status, PROXY_STATUS.DONE);
  const tcp6 = 'PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n';
  assert.is(parse(tcp6).sourceAddress, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  assert.is(parse('PROXY UNKNOWN ' + 'x'.repeat(92) + '\r\n').status, PROXY_STATUS.INVALID);
  assert.is(parse('PROXY UNKNOWN ' + 'x'.repeat(200)).status, PROXY_STATUS.INVALID);
  assert.is(parse('PROXY UNKNOWN ' + 'x'.repeat(92)).status, PROXY_STATUS.NEED_MORE);
});

test('parseProxyHeader v1: malformed lines are INVALID', () => {
  const bad = [
    'PROXY TCP4 198.51.100.1 10.0.0.2 4711\r\n',
    'PROXY TCP4 198.51.100.1 10.0.0.2 4711 80 9\r\n',
    'PROXY TCP4 198.51.100.1  10.0.0.2 4711 80\r\n',
    'PROXY TCP4 127.1 10.0.0.2 4711 80\r\n',
    'PROXY TCP4 2001:db8::1 10.0.0.2 4711 80\r\n',
    'PROXY TCP6 198.51.100.1 ::1 4711 80\r\n',
    'PROXY TCP6 fe80::1%eth0 ::1 4711 80\r\n',
    'PROXY TCP4 198.51.100.1 10.0.0.2 65536 80\r\n',
    'PROXY TCP4 198.51.100.1 10.0.0.2 04711 80\r\n',
    'PROXY TCP4 198.51.100.1 10.0.0.2 4711 80\n',
    'PROXY TCP4 198.51.100.1 10.0.0.2 4711 80\rX',
    'PROXY UDP4 198.51.100.1 10.0.0.2 4711 80\r\n',
    'PROXY tcp4 198.51.100.1 10.0.0.2 4711 80\r\n',
    'PROXY\r\n',
    'PROXYTCP4\r\n',
    'GET / HTTP/1.1\r\n',
    'proxy TCP4 198.51.100.1 10.0.0.2 4711 80\r\n',
  ];
  for (const line of bad) assert.is(parse(line).status, PROXY_STATUS.INVALID, JSON.stringify(line));
});

test('parseProxyHeader v1: byte by byte', () => {
  const whole = Buffer.from('PROXY TCP4 198.51.100.1 10.0.0.2 4711 80\r\n');
  const r = byteByByte(whole);
  assert.is(r.status, PROXY_STATUS.DONE);
  assert.is(r.consumed, whole.length);
  // A wrong first byte is refused at once; a plain request at its first differing byte.
  assert.is(parse('G').status, PROXY_STATUS.INVALID);
  assert.is(parse('PROXX').status, PROXY_STATUS.INVALID);
  assert.is(parse('PRO').status, PROXY_STATUS.NEED_MORE);
  assert.is(parse('').status, PROXY_STATUS.NEED_MORE);
});

test('parseProxyHeader v2: PROXY TCP4 with the rest of the stream after it', () => {
  const header = v2(1, 0x11, ipv4Block);
  const r = parse(Buffer.concat([header, Buffer.from(REQUEST)]));
  assert.is(r.status, PROXY_STATUS.DONE);
  assert.is(r.consumed, 16 + 12);
  assert.is(r.version, 2);
  assert.is(r.command, PROXY_COMMAND.PROXY);
  assert.is(r.family, PROXY_FAMILY.TCP4);
  assert.is(r.sourceAddress, '198.51.100.1');
  assert.is(r.sourcePort, 4711);
  assert.is(r.destinationAddress, '10.0.0.2');
  assert.is(r.destinationPort, 80);
});

test('parseProxyHeader v2: PROXY TCP6, TLVs skipped (AWS NLB VPC endpoint TLV)', () => {
  const vpce = Buffer.from('vpce-0123456789abcdef0');
  const tlv = [0xea, (vpce.length + 1) >> 8, (vpce.length + 1) & 255, 0x01, ...vpce];
  const header = v2(1, 0x21, ipv6Block, tlv);
  const r = parse(header);
  assert.is(r.status, PROXY_STATUS.DONE);
  assert.is(r.consumed, header.length);
  assert.is(r.family, PROXY_FAMILY.TCP6);
  assert.is(r.sourceAddress, '2001:db8::1');
  assert.is(r.sourcePort, 443);
  assert.is(r.destinationAddress, '::ffff:10.0.0.2');
  assert.is(r.destinationPort, 8080);
});

test('parseProxyHeader v2: PP2_TYPE_SSL TLV (send-proxy-v2-ssl) sets ssl', () => {
  const noop = [0x04, 0x00, 0x02, 0x00, 0x00]; // PP2_TYPE_NOOP, skipped
  const ssl = [0x20, 0x00, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00]; // client: SSL | CERT_CONN | CERT_SESS, verify 0
  assert.is(parse(v2(1, 0x11, ipv4Block, [...noop, ...ssl])).ssl, true);
  assert.is(parse(v2(1, 0x21, ipv6Block, ssl)).ssl, true);
  assert.is(parse(v2(1, 0x11, ipv4Block, [0x20, 0x00, 0x05, 0x00, 0, 0, 0, 0])).ssl, false);
  assert.is(parse(v2(1, 0x11, ipv4Block)).ssl, false);
  assert.is(parse('PROXY TCP4 198.51.100.1 10.0.0.2 4711 80\r\n').ssl, false);
  // A TLV longer than the header is ignored, not trusted.
  const r = parse(v2(1, 0x11, ipv4Block, [0x20, 0x00, 0x09, 0x01]));
  assert.is(r.status, PROXY_STATUS.DONE);
  assert.is(r.ssl, false);
});

test('parseProxyHeader v2: LOCAL (health checks) and UNSPEC / UNIX / UDP carry no peer', () => {
  const local = parse(v2(0, 0x11, ipv4Block));
  assert.is(local.status, PROXY_STATUS.DONE);
  assert.is(local.command, PROXY_COMMAND.LOCAL);
  assert.is(local.sourceAddress, null);
  const localEmpty = parse(v2(0, 0x00, []));
  assert.is(localEmpty.status, PROXY_STATUS.DONE);
  assert.is(localEmpty.consumed, 16);
  const unspec = parse(v2(1, 0x00, []));
  assert.is(unspec.status, PROXY_STATUS.DONE);
  assert.is(unspec.family, PROXY_FAMILY.UNSPEC);
  assert.is(unspec.sourceAddress, null);
  const unix = parse(v2(1, 0x31, new Array(216).fill(0)));
  assert.is(unix.family, PROXY_FAMILY.UNIX_STREAM);
  assert.is(unix.sourceAddress, null);
  const udp = parse(v2(1, 0x12, ipv4Block));
  assert.is(udp.family, PROXY_FAMILY.UDP4);
  assert.is(udp.sourceAddress, null);
});

test('parseProxyHeader v2: wrong signature, version, command, family, short address block', () => {
  const good = v2(1, 0x11, ipv4Block);
  const wrongSig = Buffer.from(good);
  wrongSig[7] = 0x50;
  assert.is(parse(wrongSig).status, PROXY_STATUS.INVALID);
  assert.is(parse(wrongSig, 0, 8).status, PROXY_STATUS.INVALID);
  const v1Version = Buffer.from(good);
  v1Version[12] = 0x11;
  assert.is(parse(v1Version).status, PROXY_STATUS.INVALID);
  const command2 = Buffer.from(good);
  command2[12] = 0x22;
  assert.is(parse(command2).status, PROXY_STATUS.INVALID);
  for (const fam of [0x01, 0x10, 0x13, 0x41, 0xff]) {
    const badFam = Buffer.from(good);
    badFam[13] = fam;
    assert.is(parse(badFam).status, PROXY_STATUS.INVALID, fam.toString(16));
    assert.is(parse(badFam, 0, 14).status, PROXY_STATUS.INVALID, `early ${fam.toString(16)}`);
  }
  assert.is(parse(v2(1, 0x11, ipv4Block.slice(0, 8))).status, PROXY_STATUS.INVALID);
  assert.is(parse(v2(1, 0x21, ipv4Block)).status, PROXY_STATUS.INVALID);
  // The HTTP-looking first line of a client without the proxy in front.
  assert.is(parse('\r\nGET / HTTP/1.1\r\n').status, PROXY_STATUS.INVALID);
});

test('parseProxyHeader v2: truncated → NEED_MORE, byte by byte, at an offset', () => {
  const header = v2(1, 0x21, ipv6Block, [0x04, 0x00, 0x01, 0x00]);
  for (const n of [1, 11, 12, 13, 15, 16, 17, header.length - 1]) assert.is(parse(header, 0, n).status, PROXY_STATUS.NEED_MORE, String(n));
  const r = byteByByte(header);
  assert.is(r.status, PROXY_STATUS.DONE);
  assert.is(r.consumed, header.length);
  const padded = Buffer.concat([Buffer.from('xxxx'), header, Buffer.from(REQUEST)]);
  const at = parseProxyHeader(padded, 4, padded.length);
  assert.is(at.status, PROXY_STATUS.DONE);
  assert.is(at.consumed, header.length);
  assert.is(at.sourceAddress, '2001:db8::1');
});

test('parseProxyHeader v2: the longest header (16 + 65535 bytes) is NEED_MORE until its last byte, then DONE', () => {
  // Address block (12) + one TLV of type 0xE0 (3 + 65520): length field 0xFFFF.
  const header = v2(1, 0x11, ipv4Block, [0xe0, 0xff, 0xf0, ...new Array<number>(65520).fill(0x61)]);
  assert.is(header.length, 16 + 65535);
  const r = byteByByte(header);
  assert.is(r.status, PROXY_STATUS.DONE);
  assert.is(r.consumed, 16 + 65535);
  assert.is(r.sourceAddress, '198.51.100.1');
});

test('PROXY protocol over a socket: an IPv4-mapped IPv6 source is normalised like socket peers (::ffff:a.b.c.d → a.b.c.d)', async () => {
  const app: App = (scope, _receive, send) => {
    respond(send, 200, null, JSON.stringify(scope.client));
  };
  const { server, port } = await startOurs({ proxyProtocol: true }, app); // loopback peers are trusted by default
  const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 9];
  const cases: [Buffer | string, string][] = [
    [v2(1, 0x21, [...mapped, ...ipv6Block.slice(16)]), '["198.51.100.9",443]'],
    ['PROXY TCP6 ::ffff:198.51.100.9 ::1 4711 80\r\n', '["198.51.100.9",4711]'],
    [v2(1, 0x21, ipv6Block), '["2001:db8::1",443]'],
  ];
  try {
    for (const [pp, client] of cases) {
      const head = typeof pp === 'string' ? Buffer.from(pp, 'latin1') : pp;
      const conv = await converse(port, Buffer.concat([head, Buffer.from('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')]), { timeout: 2000 });
      const res = parseWire(conv.data, conv.closed);
      assert.equal(
        res.responses.map((r) => r.status),
        [200],
        client,
      );
      assert.is(res.responses[0].body.toString(), client);
    }
  } finally {
    await server.close();
  }
});

test('parseProxyHeader: NEED_MORE and INVALID results are shared and frozen', () => {
  assert.ok(parse('P') === parse('PR'));
  assert.ok(Object.isFrozen(parse('X')));
});

test.run();
