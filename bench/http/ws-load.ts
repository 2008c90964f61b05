// A WebSocket echo load generator on raw net sockets (the `ws` client capped messages/s
// well below what the servers answer): pre-built masked frames, `inflight` messages in
// flight per connection, echoes counted by parsing server frame heads, each echo's bytes
// compared with what was sent before it counts.
import { once } from 'node:events';
import * as net from 'node:net';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** `count` masked text frames of `payload` (< 126 bytes) back to back. */
function maskedFrames(payload: Buffer, count: number): Buffer {
  const one = Buffer.alloc(6 + payload.length);
  one[0] = 0x81;
  one[1] = 0x80 | payload.length;
  const mask = [0x12, 0x34, 0x56, 0x78];
  one.set(mask, 2);
  for (let i = 0; i < payload.length; i++) one[6 + i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat(Array.from({ length: count }, () => one));
}

export class EchoLoad {
  readonly sockets: net.Socket[] = [];
  count = 0;
  private running = false;
  private readonly payload: Buffer;
  private readonly frames: Buffer;
  private readonly frameLen: number;
  private readonly inflight: number;

  constructor(payloadBytes: number, inflight: number) {
    this.payload = Buffer.alloc(payloadBytes, 'x');
    this.inflight = inflight;
    this.frames = maskedFrames(this.payload, inflight);
    this.frameLen = 6 + payloadBytes;
  }

  /** Opens `n` websockets to ws://127.0.0.1:port/path (retrying until `deadline` while the server starts). */
  async open(port: number, path: string, n: number, deadline: number): Promise<void> {
    for (let i = 0; i < n; i++) this.sockets.push(await this.handshake(port, path, deadline));
  }

  private async handshake(port: number, path: string, deadline: number): Promise<net.Socket> {
    for (;;) {
      const s = net.connect(port, '127.0.0.1');
      s.setNoDelay(true);
      try {
        await once(s, 'connect');
        s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
        let head = Buffer.alloc(0);
        while (!head.includes('\r\n\r\n')) head = Buffer.concat([head, (await once(s, 'data'))[0] as Buffer]);
        if (!head.toString('latin1').startsWith('HTTP/1.1 101')) throw new Error(`no 101: ${head.toString('latin1', 0, 40)}`);
        s.pause();
        return s;
      } catch (err) {
        s.destroy();
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Echo traffic for `ms`: messages echoed in that time. */
  async run(ms: number): Promise<number> {
    this.count = 0;
    this.running = true;
    const waits: Promise<unknown>[] = [];
    for (const s of this.sockets) waits.push(this.drive(s));
    await new Promise((r) => setTimeout(r, ms));
    const n = this.count;
    this.running = false;
    await Promise.all(waits);
    return n;
  }

  /** One connection: `inflight` frames out, one more per echo while running; resolves when all came back. */
  private drive(s: net.Socket): Promise<void> {
    const { payload, frames, frameLen } = this;
    const len = payload.length;
    let outstanding = this.inflight;
    let rest: Buffer | null = null;
    return new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        let buf = chunk;
        if (rest !== null) {
          buf = Buffer.concat([rest, chunk]);
          rest = null;
        }
        let p = 0;
        let echoed = 0;
        while (buf.length - p >= 2 + len) {
          if (buf[p] !== 0x81 || buf[p + 1] !== len || payload.compare(buf, p + 2, p + 2 + len) !== 0) {
            s.off('data', onData);
            reject(new Error('wrong echo'));
            return;
          }
          p += 2 + len;
          echoed++;
        }
        if (p < buf.length) rest = buf.subarray(p);
        this.count += echoed;
        outstanding -= echoed;
        if (this.running) {
          s.write(frames.subarray(0, echoed * frameLen));
          outstanding += echoed;
        } else if (outstanding === 0) {
          s.off('data', onData);
          s.pause();
          resolve();
        }
      };
      s.on('data', onData);
      s.resume();
      s.write(frames);
    });
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
  }
}
