/**
 * What each real proxy does with each forwarding header a client sends (issue 11:
 * "a proxy vouches only for the headers it overwrites"). For every proxy
 * configuration of the harness, a client bound to 127.0.0.2 sends each forwarding
 * header alone through the proxy to a raw echo backend, and the backend's copy of
 * the request head says what became of it:
 *
 * - `passes`: the client's line arrives untouched (the proxy vouches for nothing);
 * - `appends (v)`: the proxy adds its own value `v` after the client's, on the same
 *   line (`6.6.6.6, 127.0.0.2`); `appends line (v)`: as a separate line after it;
 * - `overwrites (v)`: only the proxy's value `v` arrives, whatever the client sent;
 * - `sets if absent (v)`: the proxy writes `v` only when the client sent nothing;
 * - `drops`: the header does not arrive at all.
 *
 * `v` is what the proxy writes when the client sends nothing (the proxy's listen port
 * is written `<port>`). The table is asserted, so a package update that changes a
 * proxy's behaviour fails here first; docs/behind-a-proxy.md and the `proxy` presets
 * of the trust stage rest on it. PROXY_TABLE=1 prints it as Markdown.
 *
 * A missing proxy binary fails the test when CI is set and prints a SKIP line otherwise.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SERVER_NAME, available, headerValues, parseHead, request, startCaddy, startEchoBackend, startHaproxy, startNginx, type EchoBackend, type ProxyHandle } from './harness.js';

const TEST_TIMEOUT_MS = 20_000;
/** The client's source address: not the proxies' (127.0.0.1), so their own values are told apart. */
const CLIENT = '127.0.0.2';

/** The forwarding headers a client sends, each alone; X-Forwarded-Proto with both schemes. */
const SPOOFED: ReadonlyArray<readonly [name: string, values: readonly string[]]> = [
  ['forwarded', ['for=6.6.6.6;proto=http;host=evil.example']],
  ['x-forwarded-for', ['6.6.6.6']],
  ['x-forwarded-proto', ['http', 'https']],
  ['x-forwarded-host', ['evil.example']],
  ['x-forwarded-port', ['6666']],
  ['x-forwarded-prefix', ['/evil']],
  ['x-real-ip', ['6.6.6.6']],
];

type Row = Record<string, string>;

interface Setup {
  name: string;
  binaries: string[];
  start: (backendPort: number) => Promise<ProxyHandle>;
  /** Path to request through the proxy. */
  path: string;
  /** Host to send (default: the request() default, i.e. the url's for http, api.example.com for https). */
  host?: string;
  expected: Row;
}

const SETUPS: Setup[] = [
  {
    name: 'nginx, seed config, TLS',
    binaries: ['nginx', 'openssl'],
    start: (backendPort) => startNginx({ backendPort }),
    path: '/api/x',
    expected: {
      forwarded: 'passes',
      'x-forwarded-for': `appends (${CLIENT})`,
      'x-forwarded-proto': 'overwrites (https)',
      'x-forwarded-host': 'passes',
      'x-forwarded-port': 'passes',
      'x-forwarded-prefix': 'passes',
      'x-real-ip': `overwrites (${CLIENT})`,
    },
  },
  {
    name: 'nginx, seed config, plain http',
    binaries: ['nginx'],
    start: (backendPort) => startNginx({ backendPort, tls: false }),
    path: '/api/x',
    host: SERVER_NAME,
    expected: {
      forwarded: 'passes',
      'x-forwarded-for': `appends (${CLIENT})`,
      'x-forwarded-proto': 'overwrites (http)',
      'x-forwarded-host': 'passes',
      'x-forwarded-port': 'passes',
      'x-forwarded-prefix': 'passes',
      'x-real-ip': `overwrites (${CLIENT})`,
    },
  },
  {
    name: 'haproxy, option forwardfor + set-header X-Forwarded-Proto',
    binaries: ['haproxy'],
    start: (backendPort) => startHaproxy({ backendPort, mode: 'forwardfor' }),
    path: '/x',
    expected: {
      forwarded: 'passes',
      'x-forwarded-for': `appends line (${CLIENT})`,
      'x-forwarded-proto': 'overwrites (http)',
      'x-forwarded-host': 'passes',
      'x-forwarded-port': 'passes',
      'x-forwarded-prefix': 'passes',
      'x-real-ip': 'passes',
    },
  },
  {
    name: 'haproxy, set-header Forwarded',
    binaries: ['haproxy'],
    start: (backendPort) => startHaproxy({ backendPort, mode: 'set-forwarded' }),
    path: '/x',
    expected: {
      forwarded: `overwrites (for="${CLIENT}";proto=http;host="127.0.0.1:<port>")`,
      'x-forwarded-for': 'passes',
      'x-forwarded-proto': 'passes',
      'x-forwarded-host': 'passes',
      'x-forwarded-port': 'passes',
      'x-forwarded-prefix': 'passes',
      'x-real-ip': 'passes',
    },
  },
  {
    name: 'haproxy, add-header Forwarded',
    binaries: ['haproxy'],
    start: (backendPort) => startHaproxy({ backendPort, mode: 'add-forwarded' }),
    path: '/x',
    expected: {
      forwarded: `appends line (for="${CLIENT}")`,
      'x-forwarded-for': 'passes',
      'x-forwarded-proto': 'passes',
      'x-forwarded-host': 'passes',
      'x-forwarded-port': 'passes',
      'x-forwarded-prefix': 'passes',
      'x-real-ip': 'passes',
    },
  },
  {
    name: 'caddy, reverse_proxy',
    binaries: ['caddy'],
    start: (backendPort) => startCaddy({ backendPort }),
    path: '/x',
    expected: {
      forwarded: 'passes',
      'x-forwarded-for': `overwrites (${CLIENT})`,
      'x-forwarded-proto': 'overwrites (http)',
      'x-forwarded-host': 'overwrites (127.0.0.1:<port>)',
      'x-forwarded-port': 'passes',
      'x-forwarded-prefix': 'passes',
      'x-real-ip': 'passes',
    },
  },
];

/**
 * What the proxy did with a client's `sent` value, given the lines that arrived with
 * it (`got`) and without it (`own`: what the proxy writes by itself).
 */
function classify(sent: string, got: string[], own: string[]): string {
  const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  if (own.length === 0) {
    if (got.length === 0) return 'drops';
    if (same(got, [sent])) return 'passes';
  } else {
    const v = own.join(' | ');
    if (same(got, own)) return own.length === 1 && own[0] === sent ? 'same' : `overwrites (${v})`;
    if (same(got, [sent, ...own])) return `appends line (${v})`;
    if (own.length === 1 && same(got, [`${sent}, ${own[0]}`])) return `appends (${v})`;
    if (same(got, [sent])) return `sets if absent (${v})`;
  }
  return `other: sent ${JSON.stringify(sent)}, got ${JSON.stringify(got)}, proxy alone ${JSON.stringify(own)}`;
}

/** The request head the echo backend received for one request through `p`, parsed. */
async function through(p: ProxyHandle, s: Setup, headers: Record<string, string>): Promise<ReturnType<typeof parseHead>> {
  const res = await request(`${p.url}${s.path}`, {
    headers: s.host ? { host: s.host, ...headers } : headers,
    localAddress: CLIENT,
  });
  assert.is(res.status, 200, `${s.name}: echo backend answered (${res.body.slice(0, 200)})`);
  return parseHead(res.rawBody);
}

/** Sends each header of SPOOFED alone through `p` and classifies what arrived. */
async function measure(p: ProxyHandle, s: Setup): Promise<Row> {
  const portless = (v: string): string => v.split(String(p.port)).join('<port>');
  const alone = await through(p, s, {});
  const row: Row = {};
  for (const [name, values] of SPOOFED) {
    const own = headerValues(alone, name).map(portless);
    const results: string[] = [];
    for (const value of values) {
      const got = headerValues(await through(p, s, { [name]: value }), name).map(portless);
      results.push(classify(value, got, own));
    }
    // a value equal to the proxy's own says nothing; the other value of the pair decides
    const telling = results.filter((r) => r !== 'same');
    row[name] = telling.length > 0 && telling.every((r) => r === telling[0]) ? telling[0] : results.join(' / ');
  }
  return row;
}

const measured: Array<[string, Row]> = [];

let echo: EchoBackend | null = null;
test.before(async () => {
  echo = await startEchoBackend();
});
test.after(async () => {
  await echo?.close();
  if (process.env.PROXY_TABLE && measured.length > 0) {
    const names = SPOOFED.map(([n]) => n);
    console.log(`\n| client sends | ${measured.map(([n]) => n).join(' | ')} |`);
    console.log(`|---|${measured.map(() => '---').join('|')}|`);
    for (const n of names) console.log(`| ${n} | ${measured.map(([, r]) => r[n]).join(' | ')} |`);
  }
});

for (const s of SETUPS) {
  test(`${s.name}: what it does with each forwarding header a client sends`, async () => {
    if (!available(s.name, s.binaries)) return;
    let timer: NodeJS.Timeout | undefined;
    let p: ProxyHandle | null = null;
    try {
      await Promise.race([
        (async () => {
          p = await s.start(echo!.port);
          const row = await measure(p, s);
          measured.push([s.name, row]);
          assert.equal(row, s.expected, `${s.name}: measured behaviour differs from the table`);
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${s.name}: timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await (p as ProxyHandle | null)?.stop();
    }
  });
}

test.run();
