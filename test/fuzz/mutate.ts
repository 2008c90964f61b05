// A seeded mutation fuzzer over HTTP/1.1 request bytes: a corpus of valid requests,
// and mutations aimed at the places parsers and their bindings get wrong (line ends,
// separators, framing numbers, tokens cut across reads). Same seed, same cases.

/** mulberry32: a tiny 32-bit PRNG, good enough to spread mutations, reproducible by seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const H = 'Host: fuzz.example\r\n';

/** Valid requests: every framing, method form and feature the transport handles. */
export const CORPUS: readonly string[] = [
  `GET / HTTP/1.1\r\n${H}\r\n`,
  `GET /a/b?x=1&y=%20z HTTP/1.1\r\n${H}Accept: */*\r\nUser-Agent: fuzz/1.0\r\n\r\n`,
  `HEAD /head HTTP/1.1\r\n${H}\r\n`,
  `POST /cl HTTP/1.1\r\n${H}Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world`,
  `POST /chunked HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`,
  `POST /ext HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a=b;c="d e"\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n`,
  `PUT /put HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`,
  `DELETE /item/42 HTTP/1.1\r\n${H}Authorization: Bearer abc.def\r\n\r\n`,
  `OPTIONS * HTTP/1.1\r\n${H}\r\n`,
  `GET http://fuzz.example/abs?q HTTP/1.1\r\n${H}\r\n`,
  `GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`,
  `GET /old HTTP/1.0\r\n\r\n`,
  `POST /expect HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 4\r\n\r\nbody`,
  `GET /close HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `GET /many HTTP/1.1\r\n${H}X-A: 1\r\nX-A: 2\r\nCookie: a=b; c=d\r\nAccept-Language: en;q=0.9, fr\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n`,
  `GET /fwd HTTP/1.1\r\n${H}X-Forwarded-For: 203.0.113.1, 10.0.0.1\r\nX-Forwarded-Proto: https\r\nForwarded: for="[2001:db8::1]:4711";proto=https\r\n\r\n`,
  `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  `PATCH /p HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`,
];

const INTERESTING_BYTES = [0x0d, 0x0a, 0x00, 0x20, 0x09, 0x3a, 0x2c, 0x3b, 0x22, 0x7f, 0xff, 0x30, 0x66, 0x2f, 0x3f, 0x25, 0x0b, 0x80];
const INSERTS = [
  '\r',
  '\n',
  '\r\n',
  '\0',
  ' ',
  '\t',
  '\r\n ',
  ',',
  ';',
  ':',
  '"',
  '\r\n\r\n',
  'chunked',
  ', chunked',
  '0\r\n\r\n',
  'Content-Length: 5\r\n',
  'Content-Length: 0\r\n',
  'Transfer-Encoding: chunked\r\n',
  'Host: other\r\n',
  'Expect: 100-continue\r\n',
  'Connection: close\r\n',
  'Connection: keep-alive\r\n',
  'Upgrade: websocket\r\nConnection: upgrade\r\n',
  'GET / HTTP/1.1\r\n',
  'HTTP/1.0',
];
const NUMBERS = ['0', '1', '5', '00', '-1', '+1', '10', 'ffffffff', 'ffffffffffffffffff', '99999999999999999999', '4294967296', '1e3', '0x10', ' 5', '5 '];

/** Lines of a request (each with its terminator, as found). */
function lines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) {
      out.push(b.subarray(s, i + 1));
      s = i + 1;
    }
  }
  if (s < b.length) out.push(b.subarray(s));
  return out;
}

type Mutation = (b: Buffer, r: Rng) => Buffer;

export const MUTATIONS: readonly { name: string; fn: Mutation }[] = [
  {
    name: 'flip-bit',
    fn: (b, r) => {
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[r.int(c.length)] ^= 1 << r.int(8);
      return c;
    },
  },
  {
    name: 'set-byte',
    fn: (b, r) => {
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[r.int(c.length)] = r.pick(INTERESTING_BYTES);
      return c;
    },
  },
  {
    name: 'insert',
    fn: (b, r) => {
      const at = r.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from(r.pick(INSERTS), 'latin1'), b.subarray(at)]);
    },
  },
  {
    name: 'delete-range',
    fn: (b, r) => {
      if (b.length === 0) return b;
      const at = r.int(b.length);
      const n = 1 + r.int(Math.min(8, b.length - at));
      return Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
    },
  },
  {
    name: 'duplicate-line',
    fn: (b, r) => {
      const ls = lines(b);
      if (ls.length === 0) return b;
      const i = r.int(ls.length);
      ls.splice(i, 0, ls[i]);
      return Buffer.concat(ls);
    },
  },
  {
    name: 'delete-line',
    fn: (b, r) => {
      const ls = lines(b);
      if (ls.length < 2) return b;
      ls.splice(r.int(ls.length), 1);
      return Buffer.concat(ls);
    },
  },
  {
    name: 'swap-lines',
    fn: (b, r) => {
      const ls = lines(b);
      if (ls.length < 2) return b;
      const i = r.int(ls.length);
      const j = r.int(ls.length);
      [ls[i], ls[j]] = [ls[j], ls[i]];
      return Buffer.concat(ls);
    },
  },
  {
    name: 'line-ending',
    fn: (b, r) => {
      // CRLF → LF, CR, LFCR or CRCRLF at one line end
      const s = b.toString('latin1');
      const ends: number[] = [];
      for (let i = s.indexOf('\r\n'); i >= 0; i = s.indexOf('\r\n', i + 2)) ends.push(i);
      if (ends.length === 0) return b;
      const i = r.pick(ends);
      return Buffer.from(s.slice(0, i) + r.pick(['\n', '\r', '\n\r', '\r\r\n', '\r\n\r\n']) + s.slice(i + 2), 'latin1');
    },
  },
  {
    name: 'number',
    fn: (b, r) => {
      // a run of hex digits (Content-Length, chunk size, version) → an edge-case number
      const s = b.toString('latin1');
      const runs: [number, number][] = [];
      const re = /[0-9a-fA-F]+/g;
      for (let m = re.exec(s); m !== null; m = re.exec(s)) runs.push([m.index, m.index + m[0].length]);
      if (runs.length === 0) return b;
      const [a, e] = r.pick(runs);
      return Buffer.from(s.slice(0, a) + r.pick(NUMBERS) + s.slice(e), 'latin1');
    },
  },
  {
    name: 'case',
    fn: (b, r) => {
      const c = Buffer.from(b);
      for (let k = 0; k < 4; k++) {
        const i = r.int(c.length || 1);
        if ((c[i] >= 0x41 && c[i] <= 0x5a) || (c[i] >= 0x61 && c[i] <= 0x7a)) c[i] ^= 0x20;
      }
      return c;
    },
  },
  {
    name: 'truncate',
    fn: (b, r) => b.subarray(0, r.int(b.length + 1)),
  },
  {
    name: 'repeat-byte',
    fn: (b, r) => {
      if (b.length === 0) return b;
      const at = r.int(b.length);
      return Buffer.concat([b.subarray(0, at), Buffer.alloc(1 + r.int(64), b[at]), b.subarray(at)]);
    },
  },
];

/** Splice: a prefix of `b` and a suffix of another seed. */
function splice(b: Buffer, r: Rng): Buffer {
  const other = Buffer.from(r.pick(CORPUS), 'latin1');
  return Buffer.concat([b.subarray(0, r.int(b.length + 1)), other.subarray(r.int(other.length + 1))]);
}

export interface FuzzCase {
  index: number;
  bytes: Buffer;
  /** Write sizes: the bytes go out in these pieces (the rest in one). */
  pieces: number[];
  /** Mutations applied, for the report. */
  applied: string[];
  /** Reset the connection (RST) this many ms after the last write instead of sending FIN; -1: FIN. */
  abortAfter: number;
}

/** Case `index` of the run seeded with `seed`: 1-3 pipelined seeds, 0-4 mutations, random cuts. */
export function makeCase(seed: number, index: number): FuzzCase {
  const r = new Rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const n = 1 + r.int(3);
  let bytes: Buffer = Buffer.concat(Array.from({ length: n }, () => Buffer.from(r.pick(CORPUS), 'latin1')));
  const applied: string[] = [];
  const count = r.chance(0.15) ? 0 : 1 + r.int(4);
  for (let k = 0; k < count; k++) {
    if (r.chance(0.08)) {
      bytes = splice(bytes, r);
      applied.push('splice');
    } else {
      const m = r.pick(MUTATIONS);
      bytes = m.fn(bytes, r);
      applied.push(m.name);
    }
  }
  const pieces: number[] = [];
  if (r.chance(0.6)) {
    // cut points anywhere, sometimes byte by byte for a stretch
    const cuts = 1 + r.int(6);
    for (let k = 0; k < cuts; k++) pieces.push(r.chance(0.3) ? 1 : 1 + r.int(Math.max(1, bytes.length >> 1)));
  }
  const abortAfter = r.chance(0.15) ? r.int(4) : -1;
  return { index, bytes, pieces, applied, abortAfter };
}
