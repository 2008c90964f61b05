// Floor row for the frameworks on fasterapi/node (issue 16): the transport's JSON answer plus
// the least any node:http-compatible layer runs per request, with nothing of fasterapi/node:
// a real IncomingMessage (a Readable, as frameworks need it) on a bare emitter for a socket,
// ended as node:http ends a body-less request and dumped after the response as node:http
// does, and an emitter for the response giving 'finish' and then 'close' in ticks. No headers
// object, setHeader or ServerResponse. A framework on the layer costs at least this plus its
// own code (docs/node-compat.md, "Keep-alive: the bound").
import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { createServer, encodeHeaders, respond } from '../../../src/index.js';

const JSON_HEAD = encodeHeaders({ 'content-type': 'application/json' });
const TEXT = encodeHeaders({ 'content-type': 'text/plain' });

function emitClose(res: EventEmitter): void {
  res.emit('close');
}

/** node:http's private dump of a body nobody read (resOnFinish in _http_server). */
type Dumpable = IncomingMessage & { _dump(): void };

function finished(req: Dumpable, res: EventEmitter): void {
  res.emit('finish');
  req._dump();
  process.nextTick(emitClose, res);
}

const server = createServer((scope, _receive, send) => {
  const req = new IncomingMessage(new EventEmitter() as Socket);
  req.method = scope.method;
  req.url = scope.rawPath;
  req.complete = true;
  req.push(null);
  const res = new EventEmitter();
  if (scope.path === '/json') respond(send, 200, JSON_HEAD, JSON.stringify({ message: 'Hello, World!' }));
  else respond(send, 404, TEXT, 'Not Found');
  process.nextTick(finished, req as Dumpable, res);
});

await server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
