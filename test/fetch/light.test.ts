// Other adapters' light Responses, each recognised by what it is and written in one socket
// write without a platform Response being made: @hono/node-server's (the global Response
// once its listener was created) and srvx's FastResponse (what h3 returns).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getRequestListener } from '@hono/node-server';
import { FastResponse as SrvxResponse } from 'srvx';
import { createFetchHandler } from '../../src/fetch/index.js';
import { withServer } from '../helpers/raw.js';
import { restoreGlobals } from './listening.js';

const Light = suite('light Responses of other adapters');

getRequestListener(() => new Response('x'));
const HonoResponse = globalThis.Response;
restoreGlobals();

/** Own symbols a hono light Response gets once its platform Response is made. */
function honoMaterialised(res: object): boolean {
  return Object.getOwnPropertySymbols(res).some((s) => s.description === 'responseCache');
}

/** A srvx FastResponse that records whether its platform Response was made. */
function srvxSpy(body: ConstructorParameters<typeof SrvxResponse>[0], init?: ResponseInit): { res: Response; built: () => boolean } {
  const res = new SrvxResponse(body, init) as unknown as Response;
  const proto = Object.getPrototypeOf(res);
  const get = Object.getOwnPropertyDescriptor(proto, '_response')!.get!;
  let built = false;
  Object.defineProperty(res, '_response', {
    get() {
      built = true;
      return get.call(this);
    },
  });
  return { res, built: () => built };
}

Light('@hono/node-server Response: status, headers, string body in one write; no platform Response', async () => {
  assert.is.not(HonoResponse, Response, 'the hono class was captured');
  const made: Response[] = [];
  const app = createFetchHandler(
    (req) => {
      const p = new URL(req.url).pathname;
      const r =
        p === '/json'
          ? new HonoResponse('{"a":1}', { status: 201, headers: { 'content-type': 'application/json', 'x-n': '1' } })
          : p === '/bytes'
            ? new HonoResponse(new Uint8Array([104, 105]), { headers: [['x-p', 'q']] })
            : new HonoResponse('plain');
      made.push(r);
      return r;
    },
    { overrideGlobalObjects: false },
  );
  await withServer(app, {}, async (ctx) => {
    const c = await ctx.connect();
    await c.write('GET /json HTTP/1.1\r\nHost: h\r\n\r\n');
    const [r] = await c.waitResponses(1);
    assert.is(ctx.accepted[0].writes, 1);
    assert.is(r.status, 201);
    assert.is(r.body, '{"a":1}');
    assert.is(r.headers['content-type'], 'application/json');
    assert.is(r.headers['x-n'], '1');
    assert.is(r.headers['content-length'], '7');
    await c.write('GET /bytes HTTP/1.1\r\nHost: h\r\n\r\nGET /plain HTTP/1.1\r\nHost: h\r\n\r\n');
    const rs = await c.waitResponses(3);
    assert.is(rs[1].body, 'hi');
    assert.is(rs[1].headers['x-p'], 'q');
    // @hono/node-server labels a body without a type so:
    assert.is(rs[1].headers['content-type'], 'text/plain; charset=UTF-8');
    assert.is(rs[2].body, 'plain');
    assert.is(rs[2].headers['content-type'], 'text/plain; charset=UTF-8');
  });
  assert.is(made.length, 3);
  for (const r of made) assert.not.ok(honoMaterialised(r), 'no platform Response made');
});

Light('@hono/node-server Response whose platform Response was made (headers read, body used) is still right', async () => {
  const app = createFetchHandler(
    async () => {
      const r = new HonoResponse('used', { headers: { 'x-a': '1' } });
      await r.clone().text();
      assert.ok(honoMaterialised(r), 'the check above sees a made platform Response');
      return r;
    },
    { overrideGlobalObjects: false },
  );
  await withServer(app, {}, async (ctx) => {
    const { data } = await ctx.raw('GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', { timeout: 2000 });
    assert.match(data, /^HTTP\/1\.1 200 /);
    assert.match(data, /x-a: 1/);
    assert.match(data, /used$/);
  });
});

Light("srvx FastResponse (h3's): status, headers, body in one write; no platform Response", async () => {
  const spies: { built: () => boolean }[] = [];
  const app = createFetchHandler(
    (req) => {
      const p = new URL(req.url).pathname;
      const s =
        p === '/json'
          ? srvxSpy('{"a":1}', { status: 202, headers: { 'content-type': 'application/json', 'set-cookie': 'a=1' } })
          : p === '/bytes'
            ? srvxSpy(new Uint8Array([1, 2, 3]), { headers: new Headers({ 'x-h': 'v' }) })
            : p === '/none'
              ? srvxSpy(null, { status: 204 })
              : srvxSpy('text');
      spies.push(s);
      return s.res;
    },
    { overrideGlobalObjects: false },
  );
  await withServer(app, {}, async (ctx) => {
    const c = await ctx.connect();
    await c.write('GET /json HTTP/1.1\r\nHost: h\r\n\r\n');
    const [r] = await c.waitResponses(1);
    assert.is(ctx.accepted[0].writes, 1);
    assert.is(r.status, 202);
    assert.is(r.body, '{"a":1}');
    assert.is(r.headers['content-type'], 'application/json');
    assert.is(r.headers['set-cookie'], 'a=1');
    assert.is(r.headers['content-length'], '7');
    await c.write('GET /bytes HTTP/1.1\r\nHost: h\r\n\r\nGET /none HTTP/1.1\r\nHost: h\r\n\r\nGET /text HTTP/1.1\r\nHost: h\r\n\r\n');
    const rs = await c.waitResponses(4);
    assert.is(rs[1].headers['x-h'], 'v');
    assert.is(rs[1].headers['content-length'], '3');
    assert.is(rs[1].headers['content-type'], undefined, 'srvx labels no bytes body');
    assert.is(rs[2].status, 204);
    assert.is(rs[3].headers['content-type'], 'text/plain; charset=UTF-8');
    assert.is(rs[3].body, 'text');
  });
  assert.is(spies.length, 4);
  for (const s of spies) assert.not.ok(s.built(), 'no platform Response made');
});

Light('srvx FastResponse with a stream: chunked, as srvx sends it', async () => {
  const app = createFetchHandler(
    () =>
      new SrvxResponse(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('s1'));
            c.close();
          },
        }),
      ) as unknown as Response,
    { overrideGlobalObjects: false },
  );
  await withServer(app, {}, async (ctx) => {
    const { data } = await ctx.raw('GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', { timeout: 2000 });
    assert.match(data, /transfer-encoding: chunked/i);
    assert.match(data, /\r\n2\r\ns1\r\n0\r\n\r\n$/);
  });
});

Light.run();
