// Test helpers: a `ws` client that records what it gets, an ASGI echo app, and raw frames.
import { once } from 'node:events';
import WebSocket from 'ws';
import type { App, WebSocketReceive } from '../../src/types.js';

export interface Recorded {
  ws: WebSocket;
  messages: (string | Buffer)[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a client and records every message; `closed` resolves with the close code and reason. */
export async function open(url: string, protocols?: string | string[], options: WebSocket.ClientOptions = {}): Promise<Recorded> {
  const ws = new WebSocket(url, protocols, options);
  const messages: (string | Buffer)[] = [];
  ws.on('message', (data, isBinary) => messages.push(isBinary ? (data as Buffer) : data.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  await once(ws, 'open');
  return { ws, messages, closed };
}

/** An ASGI app that accepts and echoes every message, then returns on disconnect. */
export const echoApp: App = async (_scope, r, send) => {
  const receive = r as unknown as WebSocketReceive;
  const first = await receive();
  if (first.type !== 'websocket.connect') throw new Error(`first message ${first.type}`);
  await send({ type: 'websocket.accept' });
  for (;;) {
    const m = await receive();
    if (m.type === 'websocket.disconnect') return;
    if (m.type !== 'websocket.receive') continue;
    if (m.text !== undefined) await send({ type: 'websocket.send', text: m.text });
    else await send({ type: 'websocket.send', bytes: m.bytes });
  }
};

/** A client frame (masked unless `mask` is false), RFC 6455 §5.2. */
export function frame(opcode: number, payload: Buffer, o: { fin?: boolean; mask?: boolean; rsv?: number } = {}): Buffer {
  const fin = o.fin !== false;
  const mask = o.mask !== false;
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode;
  head[1] = (mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  else if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([head, payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  key.copy(head, 2 + ext);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3]!;
  return Buffer.concat([head, body]);
}

/** The server frames in `bytes` after the 101 head: [opcode, payload] each (unmasked; every length form). */
export function serverFrames(bytes: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  let p = bytes.indexOf('\r\n\r\n') + 4;
  while (p + 2 <= bytes.length) {
    const op = bytes[p]! & 0x0f;
    let len = bytes[p + 1]! & 0x7f;
    let h = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(p + 2);
      h = 4;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(p + 2));
      h = 10;
    }
    if (p + h + len > bytes.length) break;
    out.push([op, bytes.subarray(p + h, p + h + len)]);
    p += h + len;
  }
  return out;
}

/** The close code a close frame carries. */
export function closeCode(frames: [number, Buffer][]): number | null {
  const c = frames.find((f) => f[0] === 8);
  return c === undefined ? null : c[1].length >= 2 ? c[1].readUInt16BE(0) : 1005;
}

export const HANDSHAKE = (path = '/', extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
