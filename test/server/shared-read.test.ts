// A request's head lives in the shared read buffer, which the next read overwrites: an
// app still using it when the read's microtasks are done must find its own bytes later
// (http-connection.ts copies what is still in use; apps that settle within the microtasks
// need no copy). Apps of each kind read scope.path and a header after other reads, on
// other connections, have overwritten the buffer: before answering (waiting on a timer, as
// on I/O), after answering (a middleware that logs once a timer fires), after unwinding
// more awaits than the transport looks for, and within a few microtasks. Real sockets,
// pipelined requests on several connections at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { App, Scope } from '../../src/types.js';
import { parseResponses, withServer } from '../helpers/raw.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the app saw of its request: path and x-id, read at the moment its kind reads them. */
function seen(scope: Scope): string {
  return `${scope.path}|${scope.headers.get('x-id')}`;
}

type Kind = 'io-then-answer' | 'answer-then-io' | 'answer-then-unwind' | 'microtasks';

function makeApp(kind: Kind, log: string[]): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    const id = Number(scope.headers.get('x-id'));
    if (kind === 'io-then-answer') await sleep(2 + (id % 7) * 3);
    if (kind === 'microtasks') for (let i = 0; i < 3; i++) await null;
    const body = kind === 'io-then-answer' || kind === 'microtasks' ? seen(scope) : 'ok';
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body });
    if (kind === 'answer-then-io') {
      await sleep(2 + (id % 5) * 3);
      log.push(seen(scope));
    } else if (kind === 'answer-then-unwind') {
      for (let i = 0; i < 200; i++) await null;
      log.push(seen(scope));
    } else log.push(seen(scope));
  };
}

const CONNECTIONS = 6;
const PER_CONNECTION = 5;

for (const kind of ['io-then-answer', 'answer-then-io', 'answer-then-unwind', 'microtasks'] as Kind[]) {
  test(`shared read buffer: an app that ${kind.replaceAll('-', ' ')} reads its own request`, async () => {
    const log: string[] = [];
    await withServer(makeApp(kind, log), {}, async ({ connect }) => {
      const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => connect()));
      const expected: string[] = [];
      const wants: string[][] = [];
      clients.forEach((client, c) => {
        let bytes = '';
        const want: string[] = [];
        for (let r = 0; r < PER_CONNECTION; r++) {
          const id = c * 100 + r;
          // paths and ids of different lengths, so stale bytes cannot read as a valid answer
          const path = `/c${c}/r${r}/${'x'.repeat((id * 7) % 23)}`;
          bytes += `GET ${path} HTTP/1.1\r\nHost: test\r\nX-Id: ${id}\r\n\r\n`;
          want.push(`${path}|${id}`);
        }
        wants.push(want);
        expected.push(...want);
        void client.write(bytes);
      });
      for (let c = 0; c < CONNECTIONS; c++) {
        const client = clients[c]!;
        await client.waitFor(() => parseResponses(client.text).length >= PER_CONNECTION, 5000, `${PER_CONNECTION} answers on connection ${c}`);
        const bodies = parseResponses(client.text).map((r) => r.body);
        if (kind === 'io-then-answer' || kind === 'microtasks') assert.equal(bodies, wants[c]);
        else assert.equal(bodies, Array(PER_CONNECTION).fill('ok'));
      }
      for (let i = 0; i < 200 && log.length < expected.length; i++) await sleep(10);
      assert.equal([...log].sort(), [...expected].sort());
    });
  });
}

test.run();
