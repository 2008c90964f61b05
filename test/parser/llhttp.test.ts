// The llhttp binding (src/parser/llhttp.ts) as spec tables: input bytes and the trace
// of callbacks it produces, the way llhttp's own tests read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as llhttp from '../../src/parser/llhttp.js';

/** Records callbacks as readable strings; offsets are resolved against the fed chunk. */
class Trace implements llhttp.ParserTarget {
  events: string[] = [];
  chunk: Buffer = Buffer.alloc(0);
  private span(kind: string, off: number, len: number): number {
    this.events.push(`${kind} ${JSON.stringify(this.chunk.latin1Slice(off, off + len))}`);
    return 0;
  }
  onMessageBegin(): number {
    this.events.push('begin');
    return 0;
  }
  onUrl(off: number, len: number): number {
    return this.span('url', off, len);
  }
  onHeaderField(off: number, len: number): number {
    return this.span('field', off, len);
  }
  onHeaderValue(off: number, len: number): number {
    return this.span('value', off, len);
  }
  onHeadersComplete(upgrade: boolean, keepAlive: boolean): number {
    this.events.push(`headers-complete upgrade=${upgrade} keepAlive=${keepAlive}`);
    return 0;
  }
  onBody(off: number, len: number): number {
    return this.span('body', off, len);
  }
  onMessageComplete(): number {
    this.events.push('complete');
    return 0;
  }
}

/** execute() over chunk[start, end): the binding takes the slice and where it starts. */
function exec(p: number, t: Trace, chunk: Buffer, start = 0, end = chunk.length): number {
  return llhttp.execute(p, t, chunk.subarray(start, end), start);
}

const allocated: number[] = [];
test.after.each(() => {
  for (const p of allocated.splice(0)) llhttp.freeParser(p);
});

/** Feeds `pieces` one execute each; returns the trace and the last errno (parser freed after the test). */
function run(pieces: string[]): { events: string[]; errno: number; p: number } {
  const t = new Trace();
  const p = llhttp.allocParser();
  allocated.push(p);
  let errno = 0;
  for (const piece of pieces) {
    t.chunk = Buffer.from(piece, 'latin1');
    errno = exec(p, t, t.chunk, 0);
    if (errno !== llhttp.ERROR.OK) break;
  }
  return { events: t.events, errno, p };
}

test('a GET: begin, url, field/value pairs, headers-complete, complete', () => {
  const { events, errno, p } = run(['GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: y\r\n\r\n']);
  assert.is(errno, llhttp.ERROR.OK);
  assert.equal(events, ['begin', 'url "/a?b=1"', 'field "Host"', 'value "x"', 'field "X-A"', 'value "y"', 'headers-complete upgrade=false keepAlive=true', 'complete']);
  assert.is(llhttp.method(p), 'GET');
  assert.is(llhttp.versionMajor(p), 1);
  assert.is(llhttp.versionMinor(p), 1);
});

test('tokens split across executes arrive in pieces (the connection joins them)', () => {
  const { events } = run(['GET /lo', 'ng HTTP/1.1\r\nHo', 'st: va', 'lue\r\n\r\n']);
  assert.equal(events, ['begin', 'url "/lo"', 'url "ng"', 'field "Ho"', 'field "st"', 'value "va"', 'value "lue"', 'headers-complete upgrade=false keepAlive=true', 'complete']);
});

test('leading OWS is not part of the value; trailing OWS is (scope/headers.ts trims it)', () => {
  const { events } = run(['GET / HTTP/1.1\r\nHost: \t x \t\r\n\r\n']);
  assert.ok(events.includes('value "x \\t"'), events.join(' | '));
});

test('Content-Length and chunked bodies become body spans', () => {
  assert.equal(run(['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello']).events.slice(-2), ['body "hello"', 'complete']);
  assert.equal(run(['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n']).events.slice(-3), ['body "abc"', 'body "de"', 'complete']);
});

test('keep-alive as llhttp reports it: 1.0 without the token closes, Connection: close closes', () => {
  const ka = (head: string): string => run([head]).events.find((e) => e.startsWith('headers-complete'))!;
  assert.is(ka('GET / HTTP/1.0\r\n\r\n'), 'headers-complete upgrade=false keepAlive=false');
  assert.is(ka('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'), 'headers-complete upgrade=false keepAlive=true');
  assert.is(ka('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 'headers-complete upgrade=false keepAlive=false');
  assert.is(ka('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'), 'headers-complete upgrade=true keepAlive=true');
});

test('an upgrade stops with PAUSED_UPGRADE at the first byte after the head', () => {
  const head = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
  const t = new Trace();
  const p = llhttp.allocParser();
  t.chunk = Buffer.from(head + 'FRAME', 'latin1');
  assert.is(exec(p, t, t.chunk, 0), llhttp.ERROR.PAUSED_UPGRADE);
  assert.is(llhttp.errorOffset(p), head.length);
  llhttp.freeParser(p);
});

test('strict mode errors, with the errno the connection maps to a status', () => {
  const cases: [string, number][] = [
    ['FOO / HTTP/1.1\r\n\r\n', llhttp.ERROR.INVALID_METHOD],
    ['GET / HTTP/1.2\r\n\r\n', llhttp.ERROR.INVALID_VERSION],
    ['POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', llhttp.ERROR.INVALID_TRANSFER_ENCODING],
    ['POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', llhttp.ERROR.UNEXPECTED_CONTENT_LENGTH],
    ['GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n', llhttp.ERROR.INVALID_HEADER_TOKEN],
    ['GET / HTTP/1.1\r\nX: a\0b\r\n\r\n', llhttp.ERROR.INVALID_HEADER_TOKEN],
    ['POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n', llhttp.ERROR.INVALID_CONTENT_LENGTH],
  ];
  for (const [input, expected] of cases) {
    const { errno, p } = run([input]);
    assert.ok(errno !== llhttp.ERROR.OK, `${JSON.stringify(input)} accepted`);
    assert.is(errno, expected, `${JSON.stringify(input)}: ${llhttp.errorReason(p)}`);
    assert.ok(llhttp.errorReason(p).length > 0);
  }
});

test('a callback returning PAUSED stops execute; resume() lets the rest be fed', () => {
  const t = new Trace();
  t.onMessageComplete = function (this: Trace) {
    this.events.push('complete');
    return llhttp.ERROR.PAUSED;
  };
  const p = llhttp.allocParser();
  const two = 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n';
  t.chunk = Buffer.from(two, 'latin1');
  assert.is(exec(p, t, t.chunk, 0), llhttp.ERROR.PAUSED);
  const at = llhttp.errorOffset(p);
  assert.is(at, two.length / 2);
  llhttp.resume(p);
  assert.is(exec(p, t, t.chunk, at), llhttp.ERROR.PAUSED);
  assert.equal(
    t.events.filter((e) => e.startsWith('url')),
    ['url "/1"', 'url "/2"'],
  );
  llhttp.freeParser(p);
});

test('offsets are relative to the chunk also when execute starts mid-chunk', () => {
  const t = new Trace();
  const p = llhttp.allocParser();
  t.chunk = Buffer.from('xxxxxGET /mid HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
  assert.is(exec(p, t, t.chunk, 5), llhttp.ERROR.OK);
  assert.ok(t.events.includes('url "/mid"'));
  llhttp.freeParser(p);
});

test('METHOD_NAMES knows the registered methods', () => {
  for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']) {
    assert.ok(llhttp.METHOD_NAMES.includes(m), m);
  }
});

test('many parsers can be allocated and freed (memory.grow refreshes the views)', () => {
  const ps = Array.from({ length: 2000 }, () => llhttp.allocParser());
  const { events } = run(['GET /after-grow HTTP/1.1\r\nHost: x\r\n\r\n']);
  assert.ok(events.includes('url "/after-grow"'));
  for (const p of ps) llhttp.freeParser(p);
});

test.run();
