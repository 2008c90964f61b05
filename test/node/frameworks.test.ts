// Fastify (serverFactory) and NestJS (Express and Fastify platforms) on fasterapi/node,
// against the same app on node:http: the same raw requests, the same answers.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import fastifyStatic from '@fastify/static';
import { Controller, Get, HttpCode, Module, Param, Post, Body as NestBody, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import * as assert from 'uvu/assert';
import { NodeServer, createServer } from '../../src/node/index.js';
import { STATIC_DIR } from './apps.js';
import { type Pair, type Raw, pairSuite, req } from './harness.js';

function fastifyApp(ours: boolean): FastifyInstance {
  const app = ours ? Fastify({ serverFactory: (handler) => createServer(handler) as never }) : Fastify();
  app.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/' });
  app.get('/', async () => 'Hello, World!');
  app.get('/json', async () => ({ message: 'Hello, World!' }));
  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>('/users/:id', async (r) => ({ id: r.params.id, q: r.query }));
  app.post('/echo', async (r) => ({ got: r.body }));
  app.get('/err', async () => {
    throw Object.assign(new Error('nope'), { statusCode: 409 });
  });
  app.get('/reply', (_r, reply) => {
    reply.code(202).header('x-a', 'b').type('text/plain').send('accepted');
  });
  return app;
}

const FASTIFY: Raw[] = [
  req('GET', '/'),
  req('GET', '/json'),
  req('HEAD', '/json'),
  req('GET', '/users/12?a=1&b=2'),
  req('POST', '/echo', { 'content-type': 'application/json' }, '{"x":[1,2]}'),
  req('POST', '/echo', { 'content-type': 'application/json' }, '{bad'),
  req('GET', '/err'),
  req('GET', '/reply'),
  req('GET', '/missing'),
  req('GET', '/static/hello.txt'),
  req('GET', '/static/hello.txt', { range: 'bytes=3-9' }),
  req('GET', '/static/big.txt'),
];

async function fastifyPair(): Promise<Pair> {
  const a = fastifyApp(false);
  const b = fastifyApp(true);
  await a.listen({ port: 0, host: '127.0.0.1' });
  await b.listen({ port: 0, host: '127.0.0.1' });
  assert.ok(b.server instanceof NodeServer);
  assert.not.ok(a.server instanceof NodeServer);
  return {
    node: (a.server.address() as AddressInfo).port,
    ours: (b.server.address() as AddressInfo).port,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

// Decorators applied by hand: the repo compiles without experimentalDecorators.
class ItemsController {
  list(q?: string): unknown {
    return { items: [1, 2, 3], q: q ?? null };
  }
  one(id: string): unknown {
    return { id };
  }
  create(body: unknown): unknown {
    return { created: body };
  }
}
const P = ItemsController.prototype;
const method = (name: keyof ItemsController): PropertyDescriptor => Object.getOwnPropertyDescriptor(P, name)!;
Query('q')(P, 'list', 0);
Get()(P, 'list', method('list'));
Param('id')(P, 'one', 0);
Get(':id')(P, 'one', method('one'));
NestBody()(P, 'create', 0);
Post()(P, 'create', method('create'));
HttpCode(201)(P, 'create', method('create'));
Controller('items')(ItemsController);

class AppModule {}
Module({ controllers: [ItemsController] })(AppModule);

const NEST: Raw[] = [req('GET', '/items?q=x'), req('GET', '/items/5'), req('POST', '/items', { 'content-type': 'application/json' }, '{"name":"n"}'), req('GET', '/nothing')];

async function nestPair(platform: 'express' | 'fastify'): Promise<Pair> {
  const make = async (ours: boolean) => {
    const adapter = platform === 'express' ? new ExpressAdapter(express()) : new FastifyAdapter(ours ? { serverFactory: (handler: never) => createServer(handler) as never } : {});
    if (platform === 'express' && ours) {
      // Nest's Express adapter makes its server with http.createServer(app): give it ours
      (adapter as unknown as { initHttpServer(): void }).initHttpServer = function (this: ExpressAdapter) {
        this.setHttpServer(createServer(this.getInstance()) as never);
      };
    }
    const app = await NestFactory.create(AppModule, adapter as never, { logger: false });
    await app.listen(0, '127.0.0.1');
    return app;
  };
  const a = await make(false);
  const b = await make(true);
  assert.ok(b.getHttpServer() instanceof NodeServer);
  assert.not.ok(a.getHttpServer() instanceof NodeServer);
  return {
    node: (a.getHttpServer().address() as AddressInfo).port,
    ours: (b.getHttpServer().address() as AddressInfo).port,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

pairSuite('fastify (serverFactory)', fastifyPair, FASTIFY);
pairSuite('nest (express platform)', () => nestPair('express'), NEST);
pairSuite('nest (fastify platform)', () => nestPair('fastify'), NEST);
