// The opening handshake's request checks (RFC 6455 §4.2.1), made before the app runs; the
// 101 our codec sends (§4.2.2); the request as the `ws` library reads it when it completes
// a handshake with permessage-deflate.
import { createHash } from 'node:crypto';
import type { HeaderView } from '../types.js';

/** RFC 6455 §4.2.1: the version this server speaks; another gets 426 with this field. */
export const WS_VERSION = '13';

/**
 * Whether an upgrade to websocket is an opening handshake the server can complete: 0 when
 * it is, 400 for a bad method or Sec-WebSocket-Key (RFC 6455 §4.2.1, items 1 and 5), 426 for a missing or other Sec-WebSocket-Version (§4.4: answered
 * with `Sec-WebSocket-Version: 13`).
 */
export function checkHandshake(method: string, headers: HeaderView): number {
  if (method !== 'GET') return 400;
  const key = headers.get('sec-websocket-key');
  // A base64 nonce of 16 bytes: 22 base64 characters and "==".
  if (key === null || !/^[A-Za-z0-9+/]{22}==$/.test(key)) return 400;
  if (headers.get('sec-websocket-version') !== WS_VERSION) return 426;
  const protocols = headers.get('sec-websocket-protocol');
  if (protocols !== null && !PROTOCOLS.test(protocols)) return 400; // §4.1: a list of tokens
  return 0;
}

const PROTOCOLS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*,[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*$/;
/** §1.3: the GUID appended to the key before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Whether Sec-WebSocket-Extensions offers permessage-deflate (RFC 7692 §5). */
export function offersDeflate(extensions: string | undefined): boolean {
  return extensions?.toLowerCase().includes('permessage-deflate') === true;
}

/**
 * The 101 response (§4.2.2): the accept hash of `key`, the subprotocol the app chose (null:
 * none) and the app's extra fields, already checked ('name: value' lines).
 */
export function switchingProtocols(key: string, protocol: string | null, extra: string[]): string {
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  let head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n`;
  if (protocol !== null) head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  for (const line of extra) head += `${line}\r\n`;
  return `${head}\r\n`;
}

/** The request fields `ws`'s WebSocketServer.handleUpgrade() reads, from the scope. */
export interface UpgradeRequest {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
}

const READ = ['upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions'] as const;

export function upgradeRequest(method: string, url: string, headers: HeaderView): UpgradeRequest {
  const h: Record<string, string | undefined> = {};
  for (const name of READ) h[name] = headers.get(name) ?? undefined;
  h.upgrade = 'websocket'; // checked by the caller (it may list more protocols, which ws would refuse)
  return { method, url, headers: h };
}
