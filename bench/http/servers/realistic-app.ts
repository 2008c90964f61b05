// The realistic app on fasterapi's app layer (the HTTP suite's headline scenario, and the
// micro-benchmarks' app: rows): the trust stage (loopback and 10.0.0.0/8 trusted),
// TrustedHostMiddleware, two async BaseHTTPMiddlewares (one passes the request on, one
// wraps send to add x-request-id) and GET /users/:id answering JSON.
import { BaseHTTPMiddleware, Faster, TrustedHostMiddleware } from '../../../src/index.js';
import type { Logger, Receive, ResponseHeaders, Scope, Send, SendMessage } from '../../../src/index.js';
import { REALISTIC } from '../../micro/shapes.js';
import { AsyncPassThrough } from './hello-app.js';

/** The proxies every realistic server trusts: the local one (the socket peer) and the edge one. */
export const REALISTIC_TRUSTED = ['loopback', '10.0.0.0/8'];

let requests = 0;

/** Adds x-request-id to the response by wrapping send (the standard ASGI pattern). */
class RequestId extends BaseHTTPMiddleware {
  override async dispatch(scope: Scope, receive: Receive, send: Send): Promise<void> {
    const id = String(++requests);
    const wrapped = async (message: SendMessage): Promise<void> => {
      if (message.type === 'http.response.start') message = { ...message, headers: withHeader(message.headers, 'x-request-id', id) };
      await send(message);
    };
    await this.app(scope, receive, wrapped);
  }
}

function withHeader(headers: ResponseHeaders | undefined, name: string, value: string): ResponseHeaders {
  if (headers === undefined) return [[name, value]];
  if (Array.isArray(headers)) return [...(headers as ReadonlyArray<readonly [string, string]>), [name, value]];
  return { ...headers, [name]: value };
}

const QUIET: Logger = { error() {}, warn() {}, info() {} };

/** The app; `quiet` drops its log lines (the in-process micro-benchmarks). */
export function createRealisticApp(quiet = false): Faster {
  const app = new Faster({ trustedProxies: REALISTIC_TRUSTED, ...(quiet ? { logger: QUIET } : {}) });
  // The last added is the outermost: the host check sees the request first.
  app.addMiddleware(RequestId);
  app.addMiddleware(AsyncPassThrough);
  app.addMiddleware(TrustedHostMiddleware, { allowedHosts: [REALISTIC.host] });
  app.get('/users/:id', (request) => {
    const id = request.pathParams.id!;
    return { id, name: `user ${id}`, client: request.client?.[0] ?? null, scheme: request.url.scheme };
  });
  return app;
}
