// End to end with a browser: headless Chromium (Debian's) opens a page served by a Faster
// app and echoes through `new WebSocket(...)`, compressed as browsers offer.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Faster, Response } from '../../src/index.js';
import { until } from '../helpers/raw.js';

const CHROMIUM = '/usr/bin/chromium';

const PAGE = `<!doctype html><meta charset="utf-8"><title>ws</title><script>
window.echo = (messages) => new Promise((resolve, reject) => {
  const ws = new WebSocket('ws://' + location.host + '/ws');
  ws.binaryType = 'arraybuffer';
  const got = [];
  ws.onopen = () => { for (const m of messages) ws.send(m); ws.send(new Uint8Array([1, 2, 3])); };
  ws.onmessage = (e) => {
    got.push(typeof e.data === 'string' ? e.data : Array.from(new Uint8Array(e.data)).join(','));
    if (got.length === messages.length + 1) ws.close(1000, 'bye');
  };
  ws.onclose = (e) => resolve({ got, code: e.code, extensions: ws.extensions });
  ws.onerror = () => reject(new Error('websocket error'));
});
</script>`;

test('headless Chromium echoes text and binary through the server (permessage-deflate negotiated)', async () => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) assert.unreachable(`${CHROMIUM} is missing (apt-get install chromium)`);
    console.warn(`skipped: ${CHROMIUM} is missing`);
    return;
  }
  const closes: number[] = [];
  const app = new Faster();
  app.get('/', () => new Response(PAGE, { contentType: 'text/html; charset=utf-8' }));
  app.websocket('/ws', async (ws) => {
    await ws.accept();
    try {
      for await (const m of ws) await (typeof m === 'string' ? ws.sendText(m.toUpperCase()) : ws.sendBytes(m));
    } finally {
      closes.push(1);
    }
  });
  const server = await app.listen({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const long = 'x'.repeat(5000);
    const r = (await page.evaluate((m) => (window as unknown as { echo(m: string[]): Promise<unknown> }).echo(m), ['hello', 'wörld', long])) as {
      got: string[];
      code: number;
      extensions: string;
    };
    assert.equal(r.got, ['HELLO', 'WÖRLD', long.toUpperCase(), '1,2,3']);
    assert.is(r.code, 1000);
    assert.match(r.extensions, 'permessage-deflate');
    await until(() => closes.length === 1, 2000, 'the handler saw the close');
  } finally {
    await browser.close();
    await server.close();
  }
});

test.run();
