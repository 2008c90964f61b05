// Raw-byte request cases for the conformance battery (conformance.test.ts): RFC 9112
// framing and parsing rules and the known request-smuggling vectors. Every case is
// sent followed by one valid pipelined request, SECOND; after an ill-formed request
// that second request must never be answered.
//
// `status`: the first final status we answer, 'closed' (closed without an answer) or
// 'open' (no answer, connection left open: the bytes are a valid prefix still waiting
// for more). `second`: whether GET /second is answered. Alternatives are listed where
// RFC 9112 allows more than one answer.

/** The valid request pipelined after every case. Connection: close ends the conversation early. */
export const SECOND = 'GET /second HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n';

export type Outcome = number | 'closed' | 'open';

export interface Case {
  name: string;
  /** Where the rule comes from. */
  ref: string;
  bytes: string;
  status: Outcome | readonly Outcome[];
  second: boolean;
}

const H = 'Host: example.com\r\n';
const CRLF = '\r\n';

/** `METHOD target HTTP/1.1` + Host + extra header lines (each without CRLF) + blank line + body. */
function req(line: string, headers: readonly string[] = [], body = ''): string {
  return `${line}\r\n${H}${headers.map((h) => h + CRLF).join('')}\r\n${body}`;
}

/** A POST with these header lines and this body. */
function post(headers: readonly string[], body: string): string {
  return req('POST /first HTTP/1.1', headers, body);
}

const CHUNKED_HELLO = '5\r\nhello\r\n0\r\n\r\n';
const TE = 'Transfer-Encoding: chunked';

export const CASES: readonly Case[] = [
  // ---- valid requests: answered, and the pipelined one after them too ----------------
  { name: 'valid GET', ref: '9112 §3', bytes: req('GET /first HTTP/1.1'), status: 200, second: true },
  { name: 'valid POST content-length', ref: '9112 §6.2', bytes: post(['Content-Length: 5'], 'hello'), status: 200, second: true },
  { name: 'valid POST chunked', ref: '9112 §7.1', bytes: post([TE], '3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n'), status: 200, second: true },
  { name: 'chunked with trailer field', ref: '9112 §7.1.2', bytes: post([TE], '5\r\nhello\r\n0\r\nX-Trailer: yes\r\n\r\n'), status: 200, second: true },
  { name: 'chunk extension token=token', ref: '9112 §7.1.1', bytes: post([TE], '5;name=value\r\nhello\r\n0\r\n\r\n'), status: 200, second: true },
  { name: 'chunk extension quoted value', ref: '9112 §7.1.1', bytes: post([TE], '5;name="a b"\r\nhello\r\n0\r\n\r\n'), status: 200, second: true },
  { name: 'chunk size with leading zeros', ref: '9112 §7.1', bytes: post([TE], '0005\r\nhello\r\n0\r\n\r\n'), status: 200, second: true },
  { name: 'Transfer-Encoding: Chunked (casing)', ref: '9112 §7 (case-insensitive)', bytes: post(['Transfer-Encoding: Chunked'], CHUNKED_HELLO), status: 200, second: true },
  { name: 'TRANSFER-ENCODING name casing', ref: '9110 §5.1', bytes: post(['TRANSFER-ENCODING: chunked'], CHUNKED_HELLO), status: 200, second: true },
  { name: 'Transfer-Encoding with leading HTAB', ref: '9112 §5.1 (OWS)', bytes: post(['Transfer-Encoding:\tchunked'], CHUNKED_HELLO), status: 200, second: true },
  // OWS allows a trailing HTAB too, but llhttp refuses one after a framing value: stricter, so safe.
  { name: 'Transfer-Encoding with trailing HTAB', ref: '9112 §5.1 (llhttp: 400)', bytes: post(['Transfer-Encoding: chunked\t'], CHUNKED_HELLO), status: 400, second: false },
  { name: 'Content-Length with leading zeros', ref: '9110 §8.6', bytes: post(['Content-Length: 005'], 'hello'), status: 200, second: true },
  { name: 'Content-Length with trailing OWS', ref: '9112 §5.1', bytes: post(['Content-Length: 5 '], 'hello'), status: 200, second: true },
  { name: 'chunked body on GET', ref: '9110 §9.3.1', bytes: req('GET /first HTTP/1.1', [TE], CHUNKED_HELLO), status: 200, second: true },
  { name: 'empty line before request line', ref: '9112 §2.2', bytes: '\r\n' + req('GET /first HTTP/1.1'), status: 200, second: true },
  { name: 'absolute-form target', ref: '9112 §3.2.2', bytes: req('GET http://example.com/first HTTP/1.1'), status: 200, second: true },
  { name: 'asterisk-form OPTIONS', ref: '9112 §3.2.4', bytes: req('OPTIONS * HTTP/1.1'), status: 200, second: true },
  { name: 'obs-text in a value', ref: '9110 §5.5', bytes: req('GET /first HTTP/1.1', ['X-Name: caf\xe9']), status: 200, second: true },
  { name: 'HEAD', ref: '9110 §9.3.2', bytes: req('HEAD /first HTTP/1.1'), status: 200, second: true },
  { name: 'HTTP/1.0 with keep-alive', ref: '9112 §9.3 / 2068 §19.7.1', bytes: 'GET /first HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', status: 200, second: true },
  { name: 'HTTP/1.0 without keep-alive closes', ref: '9112 §9.3', bytes: 'GET /first HTTP/1.0\r\n\r\n', status: 200, second: false },
  { name: 'Connection: close closes', ref: '9112 §9.6', bytes: req('GET /first HTTP/1.1', ['Connection: close']), status: 200, second: false },
  { name: 'Expect: 100-continue', ref: '9110 §10.1.1', bytes: post(['Content-Length: 5', 'Expect: 100-continue'], 'hello'), status: 200, second: true },
  { name: 'Expect: 100-Continue (casing)', ref: '9110 §10.1.1 (case-insensitive)', bytes: post(['Content-Length: 5', 'Expect: 100-Continue'], 'hello'), status: 200, second: true },
  // Valid framing, so the bytes after 5 body bytes are the next request: "GET /second..."
  // becomes part of a 10-byte body and what is left is not a request.
  { name: 'Content-Length longer than the body sent', ref: '9112 §6.2', bytes: post(['Content-Length: 10'], 'hello'), status: 200, second: false },

  // ---- message framing: CL/TE smuggling -----------------------------------------------
  { name: 'CL + TE (CL.TE)', ref: '9112 §6.1, §6.3', bytes: post(['Content-Length: 6', TE], '0\r\n\r\nG'), status: 400, second: false },
  { name: 'TE + CL (TE.CL)', ref: '9112 §6.1, §6.3', bytes: post([TE, 'Content-Length: 4'], '5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'CL + TE: identity', ref: '9112 §6.3', bytes: post(['Content-Length: 5', 'Transfer-Encoding: identity'], 'hello'), status: 400, second: false },
  { name: 'two Content-Length, different', ref: '9112 §6.3', bytes: post(['Content-Length: 5', 'Content-Length: 6'], 'hello!'), status: 400, second: false },
  { name: 'two Content-Length, equal', ref: '9110 §8.6 (MAY reject)', bytes: post(['Content-Length: 5', 'Content-Length: 5'], 'hello'), status: 400, second: false },
  { name: 'Content-Length list "5, 5"', ref: '9110 §8.6 (MAY reject)', bytes: post(['Content-Length: 5, 5'], 'hello'), status: 400, second: false },
  { name: 'Content-Length: -1', ref: '9110 §8.6', bytes: post(['Content-Length: -1'], 'hello'), status: 400, second: false },
  { name: 'Content-Length: +5', ref: '9110 §8.6', bytes: post(['Content-Length: +5'], 'hello'), status: 400, second: false },
  { name: 'Content-Length: 0x5', ref: '9110 §8.6', bytes: post(['Content-Length: 0x5'], 'hello'), status: 400, second: false },
  { name: 'Content-Length: "1 2"', ref: '9110 §8.6', bytes: post(['Content-Length: 1 2'], 'hello'), status: 400, second: false },
  { name: 'Content-Length empty', ref: '9110 §8.6', bytes: post(['Content-Length:'], 'hello'), status: 400, second: false },
  { name: 'Content-Length overflow (2^64+)', ref: '9112 §6.3', bytes: post(['Content-Length: 99999999999999999999999'], 'hello'), status: 400, second: false },
  { name: 'Content-Length 10^12 > maxBodySize', ref: 'limit (413)', bytes: post(['Content-Length: 1000000000000'], 'hello'), status: 413, second: false },
  { name: 'TE: chunked, identity', ref: '9112 §6.3 (chunked not final → 400)', bytes: post(['Transfer-Encoding: chunked, identity'], CHUNKED_HELLO), status: 400, second: false },
  { name: 'TE: identity', ref: '9112 §6.3', bytes: post(['Transfer-Encoding: identity'], 'hello'), status: 400, second: false },
  { name: 'TE: chunked, chunked', ref: '9112 §7 (chunked once)', bytes: post(['Transfer-Encoding: chunked, chunked'], CHUNKED_HELLO), status: [400, 501], second: false },
  { name: 'TE on two lines', ref: '9112 §7', bytes: post([TE, TE], CHUNKED_HELLO), status: [400, 501], second: false },
  { name: 'TE: gzip, chunked (unsupported coding)', ref: '9112 §6.1 (SHOULD 501)', bytes: post(['Transfer-Encoding: gzip, chunked'], CHUNKED_HELLO), status: 501, second: false },
  { name: 'TE: deflate, Chunked', ref: '9112 §6.1 (SHOULD 501)', bytes: post(['Transfer-Encoding: deflate, Chunked'], CHUNKED_HELLO), status: 501, second: false },
  { name: 'TE: xchunked', ref: '9112 §6.3', bytes: post(['Transfer-Encoding: xchunked'], CHUNKED_HELLO), status: 400, second: false },
  { name: 'TE: "chunked" quoted', ref: '9112 §6.3', bytes: post(['Transfer-Encoding: "chunked"'], CHUNKED_HELLO), status: 400, second: false },
  { name: 'TE: ", chunked" empty element', ref: '9110 §5.6.1', bytes: post(['Transfer-Encoding: , chunked'], CHUNKED_HELLO), status: [400, 501], second: false },
  { name: 'TE obs-fold "TE:\\r\\n chunked"', ref: '9112 §5.2', bytes: post(['Transfer-Encoding:', ' chunked'], CHUNKED_HELLO), status: 400, second: false },
  { name: 'TE space before colon', ref: '9112 §5.1 (MUST 400)', bytes: post(['Transfer-Encoding : chunked'], CHUNKED_HELLO), status: 400, second: false },
  { name: 'TE value with VT', ref: '9110 §5.5', bytes: post(['Transfer-Encoding: \x0bchunked'], CHUNKED_HELLO), status: 400, second: false },
  {
    name: 'TE on HTTP/1.0',
    ref: '9112 §6.1 (faulty framing, close)',
    bytes: 'POST /first HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n' + CHUNKED_HELLO,
    status: 400,
    second: false,
  },
  {
    name: 'CL + TE on HTTP/1.0',
    ref: '9112 §6.1',
    bytes: 'POST /first HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n' + CHUNKED_HELLO,
    status: 400,
    second: false,
  },

  // ---- chunked body syntax --------------------------------------------------------------
  { name: 'chunk size overflow ffffffffffffffffff', ref: '9112 §7.1', bytes: post([TE], 'ffffffffffffffffff\r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk size bad hex "5g"', ref: '9112 §7.1', bytes: post([TE], '5g\r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk size "0x5"', ref: '9112 §7.1', bytes: post([TE], '0x5\r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk size "-5"', ref: '9112 §7.1', bytes: post([TE], '-5\r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk size with trailing space', ref: '9112 §7.1', bytes: post([TE], '5 \r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk size empty', ref: '9112 §7.1', bytes: post([TE], '\r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk extension with CTL', ref: '9112 §7.1.1', bytes: post([TE], '5;a=\x01\r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk extension with bare LF', ref: '9112 §7.1.1', bytes: post([TE], '5;a=b\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk extension unterminated quote', ref: '9112 §7.1.1', bytes: post([TE], '5;a="b\r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk data longer than its size', ref: '9112 §7.1', bytes: post([TE], '3\r\nhello\r\n0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk data without CRLF', ref: '9112 §7.1', bytes: post([TE], '5\r\nhello0\r\n\r\n'), status: 400, second: false },
  { name: 'chunk lines with bare LF', ref: '9112 §7.1', bytes: post([TE], '5\nhello\n0\n\n'), status: 400, second: false },
  { name: 'trailer field with bare CR', ref: '9112 §7.1.2', bytes: post([TE], '5\r\nhello\r\n0\r\nX: a\rb\r\n\r\n'), status: 400, second: false },

  // ---- line endings and characters in the head ----------------------------------------
  { name: 'bare LF line endings', ref: '9112 §2.2 (MAY accept; rejected)', bytes: 'GET /first HTTP/1.1\nHost: example.com\n\n', status: 400, second: false },
  { name: 'bare LF after one header', ref: '9112 §2.2', bytes: 'GET /first HTTP/1.1\r\nHost: example.com\nX: y\r\n\r\n', status: 400, second: false },
  { name: 'bare CR line endings', ref: '9112 §2.2 (MUST reject)', bytes: 'GET /first HTTP/1.1\rHost: example.com\r\r', status: 400, second: false },
  { name: 'bare CR in a value', ref: '9112 §2.2', bytes: req('GET /first HTTP/1.1', ['X: a\rb']), status: 400, second: false },
  { name: 'NUL in a value', ref: '9110 §5.5', bytes: req('GET /first HTTP/1.1', ['X: a\0b']), status: 400, second: false },
  { name: 'NUL in a name', ref: '9110 §5.1', bytes: req('GET /first HTTP/1.1', ['X\0Y: b']), status: 400, second: false },
  { name: 'CTL 0x01 in a value', ref: '9110 §5.5', bytes: req('GET /first HTTP/1.1', ['X: a\x01b']), status: 400, second: false },
  { name: 'DEL in a value', ref: '9110 §5.5', bytes: req('GET /first HTTP/1.1', ['X: a\x7fb']), status: 400, second: false },
  { name: 'obs-fold in a value', ref: '9112 §5.2 (400 or SP)', bytes: req('GET /first HTTP/1.1', ['X: a', ' b']), status: 400, second: false },
  { name: 'space before colon', ref: '9112 §5.1 (MUST 400)', bytes: req('GET /first HTTP/1.1', ['X-Name : v']), status: 400, second: false },
  { name: 'tab before colon', ref: '9112 §5.1', bytes: req('GET /first HTTP/1.1', ['X-Name\t: v']), status: 400, second: false },
  { name: 'name with "(" (not a token)', ref: '9110 §5.1', bytes: req('GET /first HTTP/1.1', ['X(y): v']), status: 400, second: false },
  { name: 'name with a space inside', ref: '9110 §5.1', bytes: req('GET /first HTTP/1.1', ['X Y: v']), status: 400, second: false },
  { name: 'name with "@"', ref: '9110 §5.1', bytes: req('GET /first HTTP/1.1', ['X@Y: v']), status: 400, second: false },
  { name: 'empty name', ref: '9110 §5.1', bytes: req('GET /first HTTP/1.1', [': v']), status: 400, second: false },
  { name: 'header line without colon', ref: '9112 §5', bytes: req('GET /first HTTP/1.1', ['NoColon']), status: 400, second: false },
  { name: 'first header line starts with SP', ref: '9112 §2.2 (MUST reject)', bytes: 'GET /first HTTP/1.1\r\n Host: example.com\r\n\r\n', status: 400, second: false },

  // ---- request line --------------------------------------------------------------------
  { name: 'method with "@"', ref: '9110 §9.1', bytes: req('G@T /first HTTP/1.1'), status: [400, 501], second: false },
  { name: 'unknown method FOO', ref: '9110 §9.1 (501)', bytes: req('FOO /first HTTP/1.1'), status: [400, 501], second: false },
  { name: 'lowercase method', ref: '9110 §9.1 (case-sensitive)', bytes: req('get /first HTTP/1.1'), status: [400, 501], second: false },
  { name: 'CONNECT (not a proxy)', ref: '9110 §9.3.6', bytes: req('CONNECT example.com:443 HTTP/1.1'), status: [400, 405, 501], second: false },
  { name: 'PRI (HTTP/2 preface)', ref: '9113 §3.4', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: [400, 405, 505], second: false },
  // RFC 9112 §3 lets a recipient parse the request line on whitespace boundaries; llhttp
  // does for runs of SP (never HTAB, never around the version), and the target is the
  // same whichever way it is read, so there is nothing to smuggle.
  { name: 'two spaces after method', ref: '9112 §3 (MAY accept)', bytes: req('GET  /first HTTP/1.1'), status: 200, second: true },
  { name: 'two spaces before version', ref: '9112 §3 (MAY accept)', bytes: req('GET /first  HTTP/1.1'), status: 200, second: true },
  { name: 'trailing space after version', ref: '9112 §3', bytes: req('GET /first HTTP/1.1 '), status: 400, second: false },
  { name: 'tab as separator', ref: '9112 §3', bytes: req('GET\t/first HTTP/1.1'), status: [400, 501], second: false },
  { name: 'space inside target', ref: '9112 §3.2', bytes: req('GET /fi rst HTTP/1.1'), status: 400, second: false },
  { name: 'CTL inside target', ref: '9112 §3.2', bytes: req('GET /fi\x01rst HTTP/1.1'), status: 400, second: false },
  { name: 'empty target', ref: '9112 §3.2', bytes: req('GET  HTTP/1.1'), status: 400, second: false },
  { name: 'HTTP/0.9 "GET /"', ref: '9112 §2.3', bytes: 'GET /first\r\n', status: 400, second: false },
  { name: 'version HTTP/2.0', ref: '9110 §6.2 (505)', bytes: req('GET /first HTTP/2.0'), status: [400, 505], second: false },
  { name: 'version HTTP/1.2', ref: '9110 §6.2', bytes: req('GET /first HTTP/1.2'), status: [400, 505], second: false },
  { name: 'version HTTP/3.0', ref: '9110 §6.2', bytes: req('GET /first HTTP/3.0'), status: [400, 505], second: false },
  { name: 'version lowercase http/1.1', ref: '9112 §2.3 (case-sensitive)', bytes: req('GET /first http/1.1'), status: 400, second: false },
  { name: 'version HTTP/1.x', ref: '9112 §2.3', bytes: req('GET /first HTTP/1.x'), status: 400, second: false },
  { name: 'version HTTP/11', ref: '9112 §2.3', bytes: req('GET /first HTTP/11'), status: [400, 505], second: false },

  // ---- Host ----------------------------------------------------------------------------
  { name: 'missing Host on HTTP/1.1', ref: '9112 §3.2 (MUST 400)', bytes: 'GET /first HTTP/1.1\r\n\r\n', status: 400, second: false },
  { name: 'duplicate Host', ref: '9112 §3.2 (MUST 400)', bytes: req('GET /first HTTP/1.1', ['Host: other.example']), status: 400, second: false },
  { name: 'duplicate Host, same value', ref: '9112 §3.2 (MUST 400)', bytes: req('GET /first HTTP/1.1', ['Host: example.com']), status: 400, second: false },
  { name: 'Host with a space inside', ref: '9112 §3.2 (invalid value → 400)', bytes: 'GET /first HTTP/1.1\r\nHost: exa mple.com\r\n\r\n', status: 400, second: false },
  { name: 'Host with "/"', ref: '9112 §3.2', bytes: 'GET /first HTTP/1.1\r\nHost: example.com/evil\r\n\r\n', status: 400, second: false },
  { name: 'Host with userinfo "@"', ref: '9112 §3.2', bytes: 'GET /first HTTP/1.1\r\nHost: user@example.com\r\n\r\n', status: 400, second: false },
  { name: 'Host with a non-numeric port', ref: '9112 §3.2', bytes: 'GET /first HTTP/1.1\r\nHost: example.com:8o\r\n\r\n', status: 400, second: false },
  { name: 'Host empty on HTTP/1.1 (allowed)', ref: '9112 §3.2 (empty when no authority)', bytes: 'GET /first HTTP/1.1\r\nHost:\r\n\r\n', status: 200, second: true },
  { name: 'Host IPv6 literal with port', ref: '3986 §3.2.2', bytes: 'GET /first HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n', status: 200, second: true },
  { name: 'missing Host on HTTP/1.0 (allowed)', ref: '9112 §3.2', bytes: 'GET /first HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', status: 200, second: true },

  // ---- limits and expectations -----------------------------------------------------------
  { name: 'header value of 20 KiB', ref: 'limit maxHeaderSize (431)', bytes: req('GET /first HTTP/1.1', ['X-Big: ' + 'a'.repeat(20 * 1024)]), status: 431, second: false },
  {
    name: '150 header lines',
    ref: 'limit 100 lines (431)',
    bytes: req(
      'GET /first HTTP/1.1',
      Array.from({ length: 150 }, (_, i) => `X-H${i}: v`),
    ),
    status: 431,
    second: false,
  },
  { name: 'request target of 9 KiB', ref: 'limit maxUrlLength (414)', bytes: req(`GET /${'a'.repeat(9 * 1024)} HTTP/1.1`), status: 414, second: false },
  { name: 'Expect: unknown', ref: '9110 §10.1.1 (417)', bytes: post(['Content-Length: 5', 'Expect: teapot'], 'hello'), status: 417, second: false },
  {
    name: 'upgrade without a hook',
    ref: 'RFC 6455 §4.2.1 (400: no Sec-WebSocket-Key; node:http answers 200)',
    bytes: req('GET /first HTTP/1.1', ['Connection: upgrade', 'Upgrade: websocket']),
    status: [200, 400],
    second: false,
  },
];
