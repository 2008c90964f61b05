import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Faster, TrustedHostMiddleware, type Request, type TrustedHostOptions } from '../../src/index.js';
import { compileHostRule } from '../../src/middleware/trusted-host.js';
import { parseResponses } from '../helpers/raw.js';
import { exchange, response, serve, type Running } from '../app/serve.js';

async function withApp(options: TrustedHostOptions, fn: (r: Running) => Promise<void>, serverOptions = {}): Promise<void> {
  const app = new Faster();
  app.get('/', () => 'ok');
  app.get('/who', (r: Request) => r.url.hostname);
  app.addMiddleware(TrustedHostMiddleware, options);
  const running = await serve(app, serverOptions);
  try {
    await fn(running);
  } finally {
    await running.close();
  }
}

async function status(port: number, headerLines: string, target = '/', version = '1.1'): Promise<number> {
  const out = await exchange(port, `GET ${target} HTTP/${version}\r\n${headerLines}\r\n`);
  const r = parseResponses(out)[0];
  return r === undefined ? 0 : r.status;
}

const SEED = { allowedHosts: ['api.example.com', '*.example.com'] };

// [Host header value, expected status] with the seed page's allowedHosts.
const SEED_CASES: [string, number][] = [
  ['api.example.com', 200],
  ['API.Example.COM', 200],
  ['api.example.com.', 200],
  ['api.example.com:8443', 200],
  ['www.example.com', 200],
  ['a.b.example.com', 200],
  ['A.B.EXAMPLE.com.', 200],
  ['example.com', 400], // the apex is not matched by *.example.com
  ['example.com.', 400],
  ['evil.com', 400],
  ['api.example.com.evil.com', 400],
  ['evilexample.com', 400],
  ['.example.com', 400],
  ['a..example.com', 400],
  ['api.example.com..', 400],
  ['evil.com#.example.com', 400],
  ['evil.com/.example.com', 400],
  ['evil.com?.example.com', 400],
  ['evil.com@api.example.com', 400],
  ['user@api.example.com', 400],
  ['evil.com\\.example.com', 400],
  ['evil.com%2F.example.com', 400],
  ['api.example.com:', 400],
  ['api.example.com:99999', 400],
  ['api.example.com:80:80', 400],
  ['[::1]evil.example.com', 400],
  ['[::1]', 400],
  ['', 400],
  ['api.example.com, evil.com', 400],
  ['a b.example.com', 400],
];

test('TrustedHostMiddleware: the seed configuration, host by host', async () => {
  await withApp(SEED, async ({ port }) => {
    for (const [host, expected] of SEED_CASES) {
      assert.is(await status(port, `host: ${host}\r\n`), expected, `Host: ${JSON.stringify(host)}`);
    }
  });
});

test('TrustedHostMiddleware: the remembered allowed host is compared in full, byte by byte', async () => {
  // The middleware remembers the last allowed Host field and lets the same bytes through
  // unchecked (compared a 32-bit word at a time, the last word overlapping): a host that
  // differs from it in any one byte, or is a prefix of it, must be judged again.
  const whole = 'api1.example.com'; // 16 bytes: 4 whole words
  const odd = 'db.example.com'; // 14 bytes: 3 words and an overlapping last one
  await withApp({ allowedHosts: [whole, odd, 'abc'] }, async ({ port }) => {
    for (const host of [whole, odd]) {
      let bytes = '';
      const expected: number[] = [];
      for (let i = 0; i < host.length; i++) {
        // Still a well-formed host (a malformed one is the transport's 400, which closes).
        const d = host.charCodeAt(i);
        const c = d >= 0x30 && d <= 0x39 ? String.fromCharCode(0x30 + ((d - 0x2f) % 10)) : host[i] === 'q' ? 'z' : 'q';
        const other = host.slice(0, i) + c + host.slice(i + 1);
        bytes += `GET / HTTP/1.1\r\nhost: ${host}\r\n\r\nGET / HTTP/1.1\r\nhost: ${other}\r\n\r\n`;
        expected.push(200, 400);
      }
      bytes += `GET / HTTP/1.1\r\nhost: ${host}\r\n\r\nGET / HTTP/1.1\r\nhost: ${host.slice(0, -1)}\r\n\r\n`;
      expected.push(200, 400);
      const got = parseResponses(await exchange(port, bytes)).map((r) => r.status);
      assert.equal(got, expected, host);
    }
    // Shorter than a word: judged every time.
    const got = parseResponses(await exchange(port, 'GET / HTTP/1.1\r\nhost: abc\r\n\r\nGET / HTTP/1.1\r\nhost: abd\r\n\r\nGET / HTTP/1.1\r\nhost: abc\r\n\r\n')).map(
      (r) => r.status,
    );
    assert.equal(got, [200, 400, 200]);
  });
});

test('TrustedHostMiddleware: 400 "Invalid host header" (exact bytes)', async () => {
  await withApp(SEED, async ({ port }) => {
    const out = await exchange(port, 'GET / HTTP/1.1\r\nhost: evil.com\r\n\r\n');
    assert.is(out, response('400 Bad Request', ['content-type: text/plain; charset=utf-8', 'content-length: 19'], 'Invalid host header'));
  });
});

test('TrustedHostMiddleware: the absolute-form target wins over Host', async () => {
  await withApp(SEED, async ({ port }) => {
    assert.is(await status(port, 'host: evil.com\r\n', 'http://api.example.com/'), 200);
    assert.is(await status(port, 'host: api.example.com\r\n', 'http://evil.com/'), 400);
    assert.is(await status(port, 'host: api.example.com\r\n', 'http://user@api.example.com/'), 400);
  });
});

test('TrustedHostMiddleware: ports, IPv4 and bracketed IPv6 entries', async () => {
  await withApp({ allowedHosts: ['127.0.0.1', '[::1]', 'example.com:8443', '[2001:db8::1]:8000', 'local.test:80'] }, async ({ port }) => {
    const cases: [string, number][] = [
      ['127.0.0.1', 200],
      ['127.0.0.1:9999', 200],
      ['127.0.0.2', 400],
      ['[::1]', 200],
      ['[0:0::1]:8000', 200],
      ['[::2]', 400],
      ['[::1', 400],
      ['::1', 400],
      ['[fe80::1%25eth0]', 400],
      ['example.com:8443', 200],
      ['example.com', 400],
      ['example.com:443', 400],
      ['[2001:DB8::1]:8000', 200],
      ['[2001:db8::1]', 400],
      ['local.test', 200], // no port: the scheme's default, 80
      ['local.test:80', 200],
      ['local.test:8080', 400],
    ];
    for (const [host, expected] of cases) assert.is(await status(port, `host: ${host}\r\n`), expected, `Host: ${host}`);
  });
});

test('TrustedHostMiddleware: the trust stage decides the host (X-Forwarded-Host only from a trusted proxy, when listed)', async () => {
  await withApp(
    SEED,
    async ({ port }) => {
      // 127.0.0.1 is a trusted proxy by default and X-Forwarded-Host is listed: its X-Forwarded-Host is the host.
      assert.is(await status(port, 'host: internal:8000\r\nx-forwarded-host: api.example.com\r\n'), 200);
      assert.is(await status(port, 'host: api.example.com\r\nx-forwarded-host: evil.com\r\n'), 400);
    },
    { forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-port' },
  );
  await withApp(SEED, async ({ port }) => {
    // Default (X-Forwarded-Host not read): X-Forwarded-Host is ignored, Host decides.
    assert.is(await status(port, 'host: internal:8000\r\nx-forwarded-host: api.example.com\r\n'), 400);
    assert.is(await status(port, 'host: api.example.com\r\nx-forwarded-host: evil.com\r\n'), 200);
  });
  await withApp(
    SEED,
    async ({ port }) => {
      // Nobody trusted: X-Forwarded-Host is ignored even when listed.
      assert.is(await status(port, 'host: internal:8000\r\nx-forwarded-host: api.example.com\r\n'), 400);
      assert.is(await status(port, 'host: api.example.com\r\nx-forwarded-host: evil.com\r\n'), 200);
    },
    { trustedProxies: [], forwardedHeaders: 'x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-port' },
  );
});

test('TrustedHostMiddleware: WebSocket upgrades with a bad host get 400 too', async () => {
  await withApp(SEED, async ({ port }) => {
    const upgrade = (host: string): string =>
      `GET /ws HTTP/1.1\r\nhost: ${host}\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
    const bad = parseResponses(await exchange(port, upgrade('evil.com')))[0];
    assert.is(bad.status, 400);
    assert.is(bad.body, 'Invalid host header');
    const good = parseResponses(await exchange(port, upgrade('api.example.com')))[0];
    assert.is.not(good.status, 400);
  });
});

test("TrustedHostMiddleware: '*' allows any well-formed host, and HTTP/1.0 without Host", async () => {
  await withApp({ allowedHosts: ['*'] }, async ({ port }) => {
    assert.is(await status(port, 'host: anything.test\r\n'), 200);
    assert.is(await status(port, 'host: bad#host\r\n'), 400);
    assert.is(await status(port, '', '/', '1.0'), 200);
  });
  await withApp(SEED, async ({ port }) => {
    assert.is(await status(port, '', '/', '1.0'), 400);
  });
  await withApp({}, async ({ port }) => {
    assert.is(await status(port, 'host: default.test\r\n'), 200, "default allowedHosts is ['*']");
  });
});

test('TrustedHostMiddleware: wwwRedirect sends the apex to the allowed www host', async () => {
  await withApp({ allowedHosts: ['www.example.com'] }, async ({ port }) => {
    const out = parseResponses(await exchange(port, 'GET /path?q=1 HTTP/1.1\r\nhost: example.com:8080\r\n\r\n'))[0];
    assert.is(out.status, 307);
    assert.is(out.headers.location, 'http://www.example.com:8080/path?q=1');
    assert.is(await status(port, 'host: other.com\r\n'), 400);
  });
  await withApp({ allowedHosts: ['www.example.com'], wwwRedirect: false }, async ({ port }) => {
    assert.is(await status(port, 'host: example.com\r\n'), 400);
  });
});

test('compileHostRule: malformed allowedHosts entries are start-up errors', () => {
  for (const bad of [
    '',
    'https://example.com',
    'example.com/path',
    '*example.com',
    'a.*.com',
    '*.',
    '*.*.com',
    'exa mple.com',
    'example.com:',
    'example.com:http',
    '[::1',
    '[::g]',
    '*.[::1]',
    'bücher.de',
    '..com',
    'a..b',
  ]) {
    assert.throws(() => compileHostRule(bad), /not a host pattern/, bad);
  }
  assert.throws(() => new TrustedHostMiddleware(() => undefined, { allowedHosts: ['ok.com', 'bad host'] }), /bad host/);
  assert.throws(() => new TrustedHostMiddleware(() => undefined, { allowedHosts: 'example.com' as unknown as string[] }), /array/);
  for (const good of ['*', 'example.com', 'EXAMPLE.com.', '*.example.com', 'example.com:8080', '127.0.0.1', '[::1]', '[::1]:8000', 'localhost', 'xn--bcher-kva.de']) {
    compileHostRule(good);
  }
  // And the error surfaces when the app starts, not per request.
  const app = new Faster();
  app.addMiddleware(TrustedHostMiddleware, { allowedHosts: ['http://x.com'] });
  assert.throws(() => app.asgi, /not a host pattern/);
});

test.run();
