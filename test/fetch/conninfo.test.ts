// The client address a handler gets: the one the trust stage resolved, through
// fasterapi's getConnInfo(c) and through @hono/node-server's own helper.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { getConnInfo as nodeConnInfo } from '@hono/node-server/conninfo';
import { createFetchHandler, getConnInfo, FetchEnv } from '../../src/fetch/index.js';
import type { CreateServerOptions } from '../../src/create.js';
import { parseResponses, withServer } from '../helpers/raw.js';

const ConnInfo = suite('getConnInfo');

function app(): Hono {
  const a = new Hono();
  a.get('/ours', (c) => c.json(getConnInfo(c).remote));
  a.get('/node', (c) => c.json(nodeConnInfo(c).remote));
  return a;
}

async function ask(options: CreateServerOptions, path: string, extra = ''): Promise<Record<string, unknown>> {
  let out: Record<string, unknown> = {};
  await withServer(createFetchHandler(app().fetch), options, async (ctx) => {
    const { data } = await ctx.raw(`GET ${path} HTTP/1.1\r\nHost: h\r\n${extra}Connection: close\r\n\r\n`, { timeout: 2000 });
    out = JSON.parse(parseResponses(data)[0].body);
  });
  return out;
}

ConnInfo('the TCP peer when no proxy is in front', async () => {
  const r = await ask({}, '/ours');
  assert.is(r.address, '127.0.0.1');
  assert.is(r.addressType, 'IPv4');
  assert.is(r.transport, 'tcp');
  assert.type(r.port, 'number');
});

ConnInfo('X-Forwarded-For from a trusted proxy: the resolved client, not re-parsed by hand', async () => {
  const xff = 'X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n';
  assert.is((await ask({}, '/ours', xff)).address, '203.0.113.7');
  assert.is((await ask({}, '/node', xff)).address, '203.0.113.7', "@hono/node-server's helper reads the same env");
  assert.is((await ask({ trustedProxies: [] }, '/ours', xff)).address, '127.0.0.1', 'untrusted peer: header ignored');
  assert.is((await ask({ trustedProxies: 2 }, '/ours', xff)).address, '198.51.100.1', 'two proxies');
});

ConnInfo('IPv6 client; also reads an @hono/node-server env', () => {
  const six = getConnInfo({ env: new FetchEnv(['2001:db8::1', 443]) });
  assert.equal(six.remote, { address: '2001:db8::1', port: 443, transport: 'tcp', addressType: 'IPv6' });
  const node = getConnInfo({ env: { incoming: { socket: { remoteAddress: '10.0.0.1', remotePort: 5, remoteFamily: 'IPv4' } } } });
  assert.equal(node.remote, { address: '10.0.0.1', port: 5, addressType: 'IPv4' });
  assert.equal(getConnInfo({ env: new FetchEnv(null) }).remote, {});
});

ConnInfo.run();
