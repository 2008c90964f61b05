// The reason phrase an app may give (our extension to http.response.start, and respond()'s
// last argument): written on the status line when valid, the standard phrase when absent
// or empty, and never on the wire when it breaks RFC 9112 §4's grammar.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeHeaders } from '../../src/index.js';
import { respond } from '../../src/server/respond.js';
import type { App, Send, SendMessage } from '../../src/types.js';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FastResponse as SrvxResponse } from 'srvx';
import { createFetchHandler } from '../../src/fetch/index.js';
import { createServer as createNodeServer } from '../../src/node/index.js';
import { rawRequest, withServer } from '../helpers/raw.js';

const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

/** The first line of the response to one GET, and what the app's send() threw. */
async function statusLineOf(app: App): Promise<string> {
  let line = '';
  await withServer(app, {}, async ({ raw }) => {
    const r = await raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 1000 });
    line = r.data.slice(0, r.data.indexOf('\r\n'));
  });
  return line;
}

test('http.response.start with a reason: the status line carries it', async () => {
  const app: App = async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 200, reason: 'Fine Thanks', headers: [['content-length', '2']] });
    await send({ type: 'http.response.body', body: 'ok' });
  };
  assert.is(await statusLineOf(app), 'HTTP/1.1 200 Fine Thanks');
});

test('a streamed (chunked) response with a reason, obs-text and HTAB included', async () => {
  const app: App = async (_s, _r, send) => {
    await send({ type: 'http.response.start', status: 404, reason: 'Gone\tFishing \xe9' });
    await send({ type: 'http.response.body', body: 'a', moreBody: true });
    await send({ type: 'http.response.body', body: 'b' });
  };
  const line = await statusLineOf(app);
  assert.is(line, 'HTTP/1.1 404 Gone\tFishing \xe9');
});

test('absent, empty or the standard phrase: the standard status line', async () => {
  for (const reason of [undefined, '', 'Created']) {
    const app: App = async (_s, _r, send) => {
      await send({ type: 'http.response.start', status: 201, reason } as SendMessage);
      await send({ type: 'http.response.body', body: '' });
    };
    assert.is(await statusLineOf(app), 'HTTP/1.1 201 Created', String(reason));
  }
});

test('respond() with a reason: the fast path writes it, and a wrapped send gets it on its start message', async () => {
  assert.is(await statusLineOf((_s, _r, send) => respond(send, 418, TEXT, 'tea', 'Short And Stout')), 'HTTP/1.1 418 Short And Stout');
  const seen: SendMessage[] = [];
  const wrapped: App = (_s, _r, send) => {
    const spy: Send = (m) => {
      seen.push(m);
      return send(m);
    };
    return respond(spy, 299, TEXT, 'x', 'Custom');
  };
  assert.is(await statusLineOf(wrapped), 'HTTP/1.1 299 Custom');
  assert.is((seen[0] as { reason?: string }).reason, 'Custom');
  // without one, the start message has no reason key at all
  seen.length = 0;
  const record =
    (send: Send): Send =>
    (m) => {
      seen.push(m);
      return send(m);
    };
  await statusLineOf((_s, _r, send) => respond(record(send), 200, TEXT, 'x'));
  assert.not.ok('reason' in seen[0]);
});

for (const [name, bad] of [
  ['CR LF (response splitting)', 'OK\r\nset-cookie: a=b'],
  ['a bare LF', 'OK\nx'],
  ['NUL', 'O\0K'],
  ['DEL', 'O\x7fK'],
  ['a code unit whose low byte is LF', 'OK\u010aX'],
] as const) {
  test(`a reason with ${name} throws a TypeError from send(); the app's 500 goes out instead`, async () => {
    let thrown: unknown = null;
    const app: App = async (_s, _r, send) => {
      try {
        await send({ type: 'http.response.start', status: 200, reason: bad });
      } catch (e) {
        thrown = e;
        throw e;
      }
    };
    await withServer(app, {}, async ({ raw }) => {
      const r = await raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 1000 });
      assert.ok(r.data.startsWith('HTTP/1.1 500 Internal Server Error\r\n'), r.data);
      assert.not.ok(r.data.includes('set-cookie'));
      assert.not.ok(r.data.includes('OK'), 'nothing of the phrase on the wire');
    });
    assert.instance(thrown, TypeError);
  });

  test(`respond() with a reason with ${name} throws before anything is written`, async () => {
    let thrown: unknown = null;
    const app: App = (_s, _r, send) => {
      try {
        respond(send, 200, TEXT, 'body', bad);
      } catch (e) {
        thrown = e;
        respond(send, 200, TEXT, 'after');
      }
    };
    await withServer(app, {}, async ({ raw }) => {
      const r = await raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 1000 });
      assert.ok(r.data.startsWith('HTTP/1.1 200 OK\r\n'), r.data);
      assert.ok(r.data.endsWith('after'));
    });
    assert.instance(thrown, TypeError);
  });
}

test('a pipelined response with a reason waits its turn and keeps it', async () => {
  let n = 0;
  const app: App = async (_s, _r, send) => {
    const i = n++;
    if (i === 0) await new Promise((r) => setTimeout(r, 30));
    respond(send, 200, TEXT, String(i), i === 1 ? 'Second' : undefined);
  };
  await withServer(app, {}, async ({ raw }) => {
    const r = await raw('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 1000 });
    const lines = r.data.match(/HTTP\/1\.1 [^\r]*/g);
    assert.equal(lines, ['HTTP/1.1 200 OK', 'HTTP/1.1 200 Second']);
  });
});

// The adapters' own reason fields, against the real peers: node:http for statusMessage
// (its own server, the same listener), srvx's Node adapter's behaviour for statusText.
const nodeListeners: [string, http.RequestListener][] = [
  ['writeHead(status, reason)', (_req, res) => res.writeHead(202, 'Taken In', { 'content-type': 'text/plain' }).end('ok')],
  [
    'statusMessage then end()',
    (_req, res) => {
      res.statusMessage = 'All Good';
      res.end('ok');
    },
  ],
  [
    'statusMessage, streamed',
    (_req, res) => {
      res.statusCode = 203;
      res.statusMessage = 'Streamed Phrase';
      res.write('a');
      res.end('b');
    },
  ],
  [
    'no statusMessage, a code without a standard phrase',
    (_req, res) => {
      res.statusCode = 299;
      res.end('ok');
    },
  ],
];

for (const [name, listener] of nodeListeners) {
  test(`fasterapi/node sends node:http's status line: ${name}`, async () => {
    const lines: string[] = [];
    for (const make of [http.createServer, createNodeServer] as const) {
      const server = (make as (l: http.RequestListener) => http.Server)(listener);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const r = await rawRequest((server.address() as AddressInfo).port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 1000 });
      await new Promise((r) => server.close(r));
      lines.push(r.data.slice(0, r.data.indexOf('\r\n')));
    }
    assert.is(lines[1], lines[0]);
  });
}

function oneByte(c: ReadableStreamDefaultController<Uint8Array>): void {
  c.enqueue(new Uint8Array([1]));
  c.close();
}

test('fetch adapter: a Response statusText, ours, the platform one and srvx FastResponse', async () => {
  const cases: [() => Response, string][] = [
    [() => new Response('ok', { status: 201, statusText: 'Made It' }), 'HTTP/1.1 201 Made It'],
    [() => new Response(new Blob(['ok']), { statusText: 'Blob Phrase' }), 'HTTP/1.1 200 Blob Phrase'],
    [() => new SrvxResponse('ok', { status: 200, statusText: 'Srvx Phrase' }) as unknown as Response, 'HTTP/1.1 200 Srvx Phrase'],
    [() => new Response(new ReadableStream({ start: oneByte }), { statusText: 'Stream Phrase' }), 'HTTP/1.1 200 Stream Phrase'],
    [() => new Response('ok'), 'HTTP/1.1 200 OK'],
  ];
  for (const [make, want] of cases) {
    const app = createFetchHandler(() => make());
    await withServer(app, {}, async ({ raw }) => {
      const r = await raw('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 1000 });
      assert.is(r.data.slice(0, r.data.indexOf('\r\n')), want);
    });
  }
});

test.run();
