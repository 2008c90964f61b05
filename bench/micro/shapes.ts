// The request shapes the micro-benchmarks parse: raw bytes as a client would send them.
// Every shape is a complete request (or a batch of them) that fits in one read.

/** One shape: the bytes of one read and how many requests they carry. */
export interface Shape {
  readonly name: string;
  readonly label: string;
  readonly bytes: Buffer;
  readonly requests: number;
}

const head = (lines: readonly string[]): string => lines.join('\r\n') + '\r\n\r\n';

/** What curl 8 sends for `curl http://localhost:8000/`. */
const CURL = head(['GET / HTTP/1.1', 'Host: localhost:8000', 'User-Agent: curl/8.5.0', 'Accept: */*']);

/**
 * A browser navigation's header fields after Host (Chrome 126 on Linux, cookies included):
 * with Host, 15 header lines.
 */
const BROWSER_FIELDS: readonly (readonly [string, string])[] = [
  ['Connection', 'keep-alive'],
  ['Cache-Control', 'max-age=0'],
  ['sec-ch-ua', '"Not/A)Brand";v="8", "Chromium";v="126", "Google Chrome";v="126"'],
  ['sec-ch-ua-mobile', '?0'],
  ['sec-ch-ua-platform', '"Linux"'],
  ['Upgrade-Insecure-Requests', '1'],
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8'],
  ['Sec-Fetch-Site', 'same-origin'],
  ['Sec-Fetch-Mode', 'navigate'],
  ['Sec-Fetch-User', '?1'],
  ['Sec-Fetch-Dest', 'document'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Accept-Language', 'en-GB,en-US;q=0.9,en;q=0.8'],
  ['Cookie', 'session=4f9c2a1e8b7d6c5a4f3e2d1c0b9a8f7e; csrftoken=Zx81kLm0PqR2sT4uVw6yXz8AbCdEfGhI; theme=dark; _ga=GA1.1.1234567890.1718000000'],
];
const lines = (fields: readonly (readonly [string, string])[]): string[] => fields.map(([k, v]) => `${k}: ${v}`);

/** A browser navigation: 15 header lines, cookies included. */
const BROWSER = head(['GET /dashboard HTTP/1.1', 'Host: localhost:8000', ...lines(BROWSER_FIELDS)]);

/**
 * The realistic-app request (the HTTP suite's headline scenario, bench/http/realistic.ts):
 * the browser's 15 header lines for GET /users/7 on app.example.com, arriving through two
 * proxies: an edge proxy (10.0.0.2) that appended the client 203.0.113.7, then a local one,
 * the socket peer 127.0.0.1. Every server trusts loopback and 10.0.0.0/8, so the client
 * each must report is 203.0.113.7 and the scheme https.
 */
export const REALISTIC = {
  // Not /users/42: the fetch frameworks' pairs (issue 14) answer that route with {"id":"42"}.
  path: '/users/7',
  host: 'app.example.com',
  client: '203.0.113.7',
  /** What every realistic server answers (plus an x-request-id header of digits). */
  body: '{"id":"7","name":"user 7","client":"203.0.113.7","scheme":"https"}',
  /** Every header field after the request line, Host first, in the order they are sent. */
  fields: [['Host', 'app.example.com'], ...BROWSER_FIELDS, ['X-Forwarded-For', '203.0.113.7, 10.0.0.2'], ['X-Forwarded-Proto', 'https']] as readonly (readonly [string, string])[],
} as const;

/**
 * Behind two proxies (an edge balancer, then a local nginx, which is the socket peer
 * 127.0.0.1): both forwarding families, as a chain of two proxies writes them.
 */
const PROXIED = head([
  'GET / HTTP/1.1',
  'Host: api.example.com',
  'User-Agent: curl/8.5.0',
  'Accept: */*',
  'X-Forwarded-For: 203.0.113.7, 10.0.0.2',
  'X-Forwarded-Proto: https',
  'X-Forwarded-Host: api.example.com',
  'Forwarded: for=203.0.113.7;proto=https;host=api.example.com, for=10.0.0.2',
]);

/** A 1 KiB JSON document, the body of POST_JSON. */
export const JSON_BODY: string = (() => {
  const items: string[] = [];
  let s = '';
  for (let i = 0; s.length < 1024 - 40; i++) {
    items.push(`{"id":${i},"name":"item-${i}","qty":${(i * 7) % 13}}`);
    s = `{"order":"A-1029","items":[${items.join(',')}]}`;
  }
  return s.padEnd(1024, ' ');
})();

const POST_JSON =
  head([
    'POST /items HTTP/1.1',
    'Host: localhost:8000',
    'User-Agent: python-httpx/0.27.0',
    'Accept: application/json',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(JSON_BODY)}`,
  ]) + JSON_BODY;

/** Requests in one read of the pipelined shape (wrk's pipelining scripts and the HTTP suite use 16). */
export const PIPELINE_DEPTH = 16;

const REALISTIC_HEAD = head([`GET ${REALISTIC.path} HTTP/1.1`, ...lines(REALISTIC.fields)]);

const shape = (name: string, label: string, text: string, requests = 1): Shape => ({ name, label, bytes: Buffer.from(text, 'latin1'), requests });

export const SHAPES = {
  curl: shape('curl', 'curl GET /', CURL),
  browser: shape('browser', 'browser GET, 15 headers + cookies', BROWSER),
  proxied: shape('proxied', 'behind 2 proxies, X-Forwarded-* + Forwarded', PROXIED),
  post: shape('post', 'POST 1 KiB JSON, Content-Length', POST_JSON),
  realistic: shape('realistic', 'realistic GET /users/7, browser + 2 proxies', REALISTIC_HEAD),
  // As the HTTP suite's realistic-pipeline scenario sends it: an async app's answers all come
  // within the read's microtasks, so no head is copied (back-to-back reads of the single shape
  // copy every head still waiting, as for an app awaiting I/O).
  realisticPipelined: shape(
    'realisticPipelined',
    `${PIPELINE_DEPTH}-deep pipelined realistic GET /users/7, browser + 2 proxies, per request`,
    REALISTIC_HEAD.repeat(PIPELINE_DEPTH),
    PIPELINE_DEPTH,
  ),
  pipelined: shape('pipelined', `${PIPELINE_DEPTH}-deep pipelined curl GET, per request`, CURL.repeat(PIPELINE_DEPTH), PIPELINE_DEPTH),
} as const;

export type ShapeName = keyof typeof SHAPES;

/** A head with a trusted 3-hop X-Forwarded-For (client, edge, internal balancer), for the trust stage alone. */
export const XFF_3_HOP = head(['GET / HTTP/1.1', 'Host: api.example.com', 'X-Forwarded-For: 198.51.100.23, 10.0.0.1, 10.0.0.2', 'X-Forwarded-Proto: https']);
