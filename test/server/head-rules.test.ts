// checkHead over the raw request heads in fixtures/heads/: each file is a head as a
// client sends it (LF stands for CRLF), named `<ok|status>-<what>.http`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Headers } from '../../src/scope/headers.js';
import { HEAD_OK, checkHead, expectsContinue } from '../../src/server/head-rules.js';

const DIR = fileURLToPath(new URL('../../../test/server/fixtures/heads/', import.meta.url));
const MAX_BODY = 1024 * 1024;

interface Parsed {
  raw: Headers;
  method: string;
  major: number;
  minor: number;
}

/** Request line and header lines into spans, as the connection records them from llhttp. */
function parseHead(text: string): Parsed {
  const lines = text.replace(/\n$/, '').split('\n');
  const m = /^([A-Z]+) \S+ HTTP\/(\d)\.(\d)$/.exec(lines[0]);
  if (m === null) throw new Error(`bad request line ${JSON.stringify(lines[0])}`);
  const buf = Buffer.from(lines.join('\r\n'), 'latin1');
  const raw = new Headers();
  raw.buf = buf;
  let at = lines[0].length + 2;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    let vs = colon + 1;
    while (line[vs] === ' ') vs++;
    const k = raw.size++ * 4;
    raw.spans[k] = at;
    raw.spans[k + 1] = at + colon;
    raw.spans[k + 2] = at + vs;
    raw.spans[k + 3] = at + line.length;
    at += line.length + 2;
  }
  raw.intern();
  return { raw, method: m[1], major: Number(m[2]), minor: Number(m[3]) };
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.http'))
  .sort();

test('the fixtures cover every status checkHead answers', () => {
  const kinds = new Set(files.map((f) => f.split('-')[0]));
  assert.equal([...kinds].sort(), ['400', '405', '413', '417', '501', '505', 'ok']);
});

for (const file of files) {
  test(`checkHead: ${file}`, () => {
    const { raw, method, major, minor } = parseHead(readFileSync(DIR + file, 'latin1'));
    const want = file.startsWith('ok-') ? HEAD_OK : Number(file.split('-')[0]);
    assert.is(checkHead(raw, major, minor, method, MAX_BODY), want);
  });
}

test('expectsContinue: HTTP/1.1 with Expect only', () => {
  const yes = parseHead(readFileSync(DIR + 'ok-expect-100-continue.http', 'latin1'));
  assert.ok(expectsContinue(yes.raw, yes.minor));
  const old = parseHead(readFileSync(DIR + 'ok-expect-ignored-in-1.0.http', 'latin1'));
  assert.not.ok(expectsContinue(old.raw, old.minor));
  const none = parseHead(readFileSync(DIR + 'ok-get-1.1.http', 'latin1'));
  assert.not.ok(expectsContinue(none.raw, none.minor));
});

test.run();
