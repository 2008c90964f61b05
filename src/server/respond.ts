// respond(): the whole-response fast path, for the transport's own code and frameworks.
import type { EncodedHeaders, Send } from '../types.js';

/**
 * Sends a whole response: `head` from encodeHeaders() (made once at start-up), content-length
 * added. When `send` is the transport's own, nothing is allocated; behind a middleware that
 * wrapped `send`, the same response goes as http.response.start + http.response.body.
 */
export function respond(send: Send, status: number, head: EncodedHeaders | null, body: string | Uint8Array | null): void | Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: placeholder until the fast-path check lands (issue 13)
  return (send as any)(status, head, body);
}
