// fasterapi/node against node:http: the same apps, the same raw requests, the same answers
// (status line, header fields in order and body; `date` and node:http's keep-alive fields aside).
import { expressApp, koaApp, polkaApp } from './apps.js';
import { type Raw, listenPair, pairSuite, req } from './harness.js';

const MULTIPART = [
  '--XyZ',
  'Content-Disposition: form-data; name="title"',
  '',
  'a title',
  '--XyZ',
  'Content-Disposition: form-data; name="file"; filename="notes.txt"',
  'Content-Type: text/plain',
  '',
  'file contents here '.repeat(100),
  '--XyZ--',
  '',
].join('\r\n');

const EXPRESS: Raw[] = [
  req('GET', '/'),
  req('GET', '/json'),
  req('HEAD', '/json'),
  req('GET', '/users/42/books/7?sort=desc&tags=a&tags=b'),
  req('GET', '/users/%C3%A9/books/x%20y?q=%E2%9C%93'),
  req('POST', '/json', { 'content-type': 'application/json' }, '{"a":[1,2,{"b":null}]}'),
  req('POST', '/json', { 'content-type': 'application/json' }, '{"broken":'),
  req('POST', '/form', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1&b=two+words&c=%26'),
  req('POST', '/upload', { 'content-type': 'multipart/form-data; boundary=XyZ' }, MULTIPART),
  req('POST', '/count', { 'transfer-encoding': 'chunked' }, '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
  req('GET', '/cookies', { cookie: 'x=1; y=2', Cookie: 'z=3' }),
  req('GET', '/headers', { 'x-dup': 'a', 'X-Dup': 'b', 'set-cookie': 'c1', 'Set-Cookie': 'c2', 'user-agent': 'u1', 'User-Agent': 'u2', 'x-forwarded-for': '203.0.113.9' }),
  req('GET', '/redirect'),
  req('GET', '/redirect301'),
  req('GET', '/stream'),
  req('GET', '/pipe'),
  req('GET', '/status'),
  req('GET', '/nocontent'),
  req('GET', '/writehead'),
  req('GET', '/writehead-array'),
  req('GET', '/headers-sent'),
  req('GET', '/bad-header'),
  req('GET', '/te-chunked'),
  req('GET', '/throw'),
  req('GET', '/async-throw'),
  req('GET', '/missing'),
  req('DELETE', '/json'),
  req('GET', '/static/hello.txt'),
  req('HEAD', '/static/hello.txt'),
  req('GET', '/static/hello.txt', { 'if-none-match': 'W/"348-18bcc9f0500"' }),
  req('GET', '/static/hello.txt', { 'if-modified-since': 'Tue, 14 Nov 2023 22:13:20 GMT' }),
  req('GET', '/static/hello.txt', { range: 'bytes=5-30' }),
  req('GET', '/static/hello.txt', { range: 'bytes=0-1,5-9' }),
  req('GET', '/static/hello.txt', { range: 'bytes=9999-' }),
  req('GET', '/static/big.txt'),
  req('GET', '/static'),
  req('GET', '/static/../etc/passwd'),
  req('GET', '/gz', { 'accept-encoding': 'gzip' }),
  req('GET', '/gz', { 'accept-encoding': 'identity' }),
  req('HEAD', '/gz', { 'accept-encoding': 'gzip' }),
];

pairSuite('express', () => listenPair(expressApp), EXPRESS);

pairSuite('koa', () => listenPair(koaApp), [
  req('GET', '/'),
  req('GET', '/json?a=1&b=2'),
  req('HEAD', '/json'),
  req('POST', '/echo', { 'content-type': 'application/octet-stream' }, Buffer.alloc(100_000, 7)),
  req('GET', '/stream'),
  req('GET', '/redirect'),
  req('GET', '/throw'),
  req('GET', '/cookies', { cookie: 'k=old' }),
  req('GET', '/missing'),
]);

pairSuite('polka', () => listenPair(polkaApp), [req('GET', '/'), req('GET', '/users/9?x=y'), req('GET', '/missing')]);
