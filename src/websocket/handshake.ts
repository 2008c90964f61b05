// The opening handshake's request checks (RFC 6455 §4.2.1), made before the app runs, and
// the request as the `ws` library reads it when it completes the handshake.
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
  return 0;
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
