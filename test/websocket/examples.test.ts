// examples/websocket*.ts over real sockets with a `ws` client.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from '../../src/index.js';
import chat from '../../examples/websocket.js';
import { app as asgi } from '../../examples/websocket-asgi.js';
import { app as hooked, onUpgrade } from '../../examples/websocket-hook.js';
import { until } from '../helpers/raw.js';
import { open } from './client.js';

test('examples/websocket: the chat route greets and answers in JSON', async () => {
  const server = await chat.listen({ port: 0 });
  try {
    const c = await open(`ws://127.0.0.1:${server.address().port}/chat/ann`);
    c.ws.send('hi');
    await until(() => c.messages.length === 2, 2000, 'two messages');
    assert.equal(c.messages, ['hello ann', JSON.stringify({ from: 'ann', said: 'hi' })]);
    c.ws.close();
    await c.closed;
  } finally {
    await server.close();
  }
});

for (const [name, app, options] of [
  ['websocket-asgi', asgi, {}],
  ['websocket-hook', hooked, { onUpgrade }],
] as const) {
  test(`examples/${name}: echoes text and bytes`, async () => {
    const server = await createServer(app, options).listen(0, '127.0.0.1');
    try {
      const c = await open(`ws://127.0.0.1:${server.address().port}/`);
      c.ws.send('text');
      c.ws.send(Buffer.from([9, 8]));
      await until(() => c.messages.length === 2, 2000, 'two echoes');
      assert.is(c.messages[0], 'text');
      assert.equal([...(c.messages[1] as Buffer)], [9, 8]);
      c.ws.close();
      await c.closed;
    } finally {
      await server.close();
    }
  });
}

test.run();
