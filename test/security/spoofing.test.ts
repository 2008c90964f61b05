/**
 * Spoofing over real sockets: every trust-stage vector (test/trust/vectors.ts) is sent
 * from a peer the server does NOT trust (trustedProxies: [], so even 127.0.0.1 is
 * untrusted). Whatever forwarding headers it carries, the app must see the socket peer
 * as the client, the connection's scheme, the Host header's host and only the static
 * root path the server was configured with.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { App } from '../../src/index.js';
import { normalizeRootPath } from '../../src/trust/index.js';
import { splitHostPort } from '../../src/scope/scope.js';
import { TRUST_VECTORS, type TrustVector } from '../trust/vectors.js';
import { converse, parseWire, startOurs } from './wire.js';
import { respond } from '../../src/server/respond.js';

interface Seen {
  client: [string, number] | null;
  peer: [string, number] | null;
  scheme: string;
  server: [string, number | null];
  rootPath: string;
  forwardedHost: string | null;
  forwardedPort: number;
}

/** Copies what the trust stage decided (the scope is pooled) and answers it as JSON. */
const reporter: App = (scope, _receive, send) => {
  const s = scope as typeof scope & { forwardedHost: string | null; forwardedPort: number };
  const seen: Seen = {
    client: scope.client,
    peer: scope.peer,
    scheme: scope.scheme,
    server: scope.server,
    rootPath: scope.rootPath,
    forwardedHost: s.forwardedHost,
    forwardedPort: s.forwardedPort,
  };
  respond(send, 200, null, JSON.stringify(seen));
};

function request(v: TrustVector): { bytes: string; host: string } {
  const lines = v.headers.filter((l) => !/^connection\s*:/i.test(l));
  let host = lines
    .find((l) => /^host\s*:/i.test(l))
    ?.replace(/^host\s*:\s*/i, '')
    .trim();
  if (host === undefined) {
    host = 'app.example.com';
    lines.unshift(`Host: ${host}`);
  }
  if (v.type === 'websocket' && !lines.some((l) => /^upgrade\s*:/i.test(l))) lines.push('Upgrade: websocket', 'Connection: upgrade');
  return { bytes: `GET /spoof HTTP/1.1\r\n${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`, host };
}

test(`spoofing: ${TRUST_VECTORS.length} trust vectors from an untrusted peer change nothing`, async () => {
  const failures: string[] = [];
  let answered = 0;
  let refused = 0;
  let skipped = 0;
  for (const v of TRUST_VECTORS) {
    if (v.options.proxyProtocol === true) {
      skipped++; // PROXY protocol from an untrusted peer: the last test
      continue;
    }
    const rootPath = normalizeRootPath(v.options.rootPath);
    const { server, port } = await startOurs({ ...v.options, trustedProxies: [] }, reporter);
    try {
      const { bytes, host } = request(v);
      const conv = await converse(port, bytes, { timeout: 2000 });
      const res = parseWire(conv.data, conv.closed);
      if (res.error !== null || res.responses.length !== 1) {
        failures.push(`${v.name}: answer ${JSON.stringify(conv.data.toString('latin1').slice(0, 120))}`);
        continue;
      }
      const r = res.responses[0];
      if (r.status !== 200) {
        // Refused by the transport (a header line it will not take): nothing reached the app.
        if (r.status >= 400 && r.status < 500) refused++;
        else failures.push(`${v.name}: status ${r.status}`);
        continue;
      }
      answered++;
      const seen = JSON.parse(r.body.toString('utf8')) as Seen;
      const [h, p] = splitHostPort(host);
      const want = {
        client: seen.peer,
        scheme: v.type === 'websocket' ? 'ws' : 'http',
        server: [h, p ?? 80],
        rootPath,
        forwardedHost: null,
        forwardedPort: -1,
      };
      const got = { client: seen.client, scheme: seen.scheme, server: seen.server, rootPath: seen.rootPath, forwardedHost: seen.forwardedHost, forwardedPort: seen.forwardedPort };
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${v.name}: saw ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      if (seen.peer === null || seen.peer[0] !== '127.0.0.1') failures.push(`${v.name}: peer ${JSON.stringify(seen.peer)}`);
    } finally {
      await server.close();
    }
  }
  console.log(
    `  spoofing: ${answered} vectors answered unchanged, ${refused} refused by the transport (4xx)${skipped > 0 ? `, ${skipped} with PROXY protocol left to the last test` : ''}`,
  );
  assert.equal(failures, [], failures.join('\n'));
  assert.ok(answered >= TRUST_VECTORS.length / 2, `${answered} answered`);
});

test('spoofing: a PROXY protocol header from an untrusted peer is never honoured; none at all is closed unanswered', async () => {
  // The header is consumed (so the request after it parses) but its source address is
  // adopted only from a trusted peer (src/trust/resolve.ts adoptProxyPeer).
  const { server, port } = await startOurs({ proxyProtocol: true, trustedProxies: [] }, reporter);
  try {
    for (const pp of ['PROXY TCP4 198.51.100.7 127.0.0.1 4711 80\r\n', 'PROXY TCP6 2001:db8::7 ::1 4711 80\r\n', 'PROXY UNKNOWN\r\n']) {
      const conv = await converse(port, pp + 'GET /spoof HTTP/1.1\r\nHost: app.example.com\r\nX-Forwarded-For: 198.51.100.8\r\nConnection: close\r\n\r\n', { timeout: 2000 });
      const res = parseWire(conv.data, conv.closed);
      assert.equal(
        res.responses.map((r) => r.status),
        [200],
        pp,
      );
      const seen = JSON.parse(res.responses[0].body.toString('utf8')) as Seen;
      assert.is(seen.peer?.[0], '127.0.0.1', pp);
      assert.is(seen.client?.[0], '127.0.0.1', pp);
    }
    const none = await converse(port, 'GET /spoof HTTP/1.1\r\nHost: app.example.com\r\n\r\n', { timeout: 2000 });
    assert.ok(none.closed, 'no PROXY header: closed');
    assert.is(none.data.length, 0, 'without an answer');
  } finally {
    await server.close();
  }
});

test.run();
