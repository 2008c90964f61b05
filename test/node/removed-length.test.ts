// An app that removes content-length before end() (Koa does for 204/205/304 and a null
// body): node:http frames the response chunked instead of adding Content-Length (Koa's own
// suite checks that a 205 carries none). Same raw requests to node:http and fasterapi/node.
import { listenPair, pairSuite, req } from './harness.js';

pairSuite(
  'removeHeader(content-length) before end()',
  () =>
    listenPair(() => (request, res) => {
      const url = new URL(request.url ?? '/', 'http://x');
      res.statusCode = Number(url.searchParams.get('status') ?? 200);
      res.setHeader('content-length', '15');
      res.removeHeader('content-length');
      res.end(url.searchParams.get('body') ?? undefined);
    }),
  [
    req('GET', '/?status=205'),
    req('GET', '/?status=200'),
    req('GET', '/?status=200&body=hello'),
    req('GET', '/?status=204'),
    req('GET', '/?status=304'),
    req('HEAD', '/?status=200&body=hello'),
  ],
);
