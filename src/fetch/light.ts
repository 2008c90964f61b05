// Light Responses of other adapters, recognised by what they are and read without building a
// platform Response: @hono/node-server's (the global Response once it was installed, or a
// Response kept from such a process) and srvx's FastResponse (what h3 returns).
import { Readable } from 'node:stream';

const NativeResponse = globalThis.Response;

/** What the writer reads off a light Response (filled by `unpackLight`, reused). */
export const light = {
  status: 200,
  /** srvx's statusText ('' for the standard phrase; @hono/node-server's fast path has none). */
  statusText: '',
  body: null as string | Uint8Array | ReadableStream<Uint8Array> | Blob | null,
  /** Header init as given (record, pairs or Headers), or srvx's flat [name, value, …] list. */
  headers: undefined as HeadersInit | string[] | undefined,
  /** The headers are srvx's flat list. */
  flat: false,
  /**
   * A body without Content-Type is labelled text/plain (@hono/node-server does; srvx adds
   * its own types in `_toNodeResponse` and labels nothing else).
   */
  defaultType: true,
};

/**
 * @hono/node-server's Response keeps `[status, body, headers]` under a private symbol
 * (described 'cache') while nothing has made the platform Response; found on the first
 * such object seen, then one `in` check per response.
 */
let honoCache: symbol | null = null;

type HonoCache = [number, string | Uint8Array | ReadableStream<Uint8Array> | Blob | null, HeadersInit | undefined];

function findHonoCache(res: object): symbol | null {
  for (const s of Object.getOwnPropertySymbols(res)) {
    if (s.description !== 'cache') continue;
    const v = (res as Record<symbol, unknown>)[s];
    if (Array.isArray(v) && v.length === 3 && typeof v[0] === 'number') return s;
  }
  return null;
}

/** srvx's FastResponse: `_toNodeResponse()` gives status, flat headers and body, and empties it. */
interface SrvxResponse {
  _toNodeResponse(): { status: number; statusText?: string; headers: string[]; body: unknown };
}

/**
 * Fills `light` and returns true for a light Response of @hono/node-server or srvx. A
 * platform Response (or a light one whose platform Response was made) returns false.
 */
export function unpackLight(res: object): boolean {
  if (typeof (res as Partial<SrvxResponse>)._toNodeResponse === 'function') {
    const r = (res as SrvxResponse)._toNodeResponse();
    light.status = r.status;
    light.statusText = r.statusText ?? '';
    light.body = srvxBody(r.body);
    light.headers = r.headers;
    light.flat = true;
    light.defaultType = false;
    return true;
  }
  if (honoCache === null) {
    if (Object.getPrototypeOf(res) === NativeResponse.prototype) return false;
    honoCache = findHonoCache(res);
    if (honoCache === null) return false;
  }
  if (!(honoCache in res)) return false;
  const cache = (res as Record<symbol, HonoCache>)[honoCache];
  light.status = cache[0];
  light.statusText = '';
  light.body = cache[1];
  light.headers = cache[2];
  light.flat = false;
  light.defaultType = true;
  return true;
}

function srvxBody(body: unknown): typeof light.body {
  if (body == null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ReadableStream) return body;
  // A Node stream (srvx accepts anything with pipe()).
  if (body instanceof Readable) return Readable.toWeb(body) as ReadableStream<Uint8Array>;
  throw new TypeError('Response body of an unknown kind');
}
