// Shared by the app, middleware and example suites: start an app on a free loopback
// port, talk to it with exact bytes.
import { createServer, type App, type Faster, type ListenOptions, type Server } from '../../src/index.js';
import * as net from 'node:net';
import { parseResponses, rawRequest, type RawOptions } from '../helpers/raw.js';

export interface Running {
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Quiet logger that records error lines (handler failures) for assertions. */
export function recordingLogger(): { errors: string[]; error(m: string, e?: unknown): void; warn(): void; info(): void } {
  const errors: string[] = [];
  return {
    errors,
    error(m: string, e?: unknown) {
      errors.push(`${m}${e instanceof Error ? `: ${e.message}` : ''}`);
    },
    warn() {},
    info() {},
  };
}

/** Listens on 127.0.0.1:0 with a Faster app (via app.listen) or a bare ASGI app. */
export async function serve(app: Faster | App, options: ListenOptions = {}): Promise<Running> {
  const server = typeof app === 'function' ? await createServer(app, options).listen(0, '127.0.0.1') : await app.listen({ port: 0, host: '127.0.0.1', ...options });
  return { port: server.address().port, server, close: () => server.close() };
}

/** The Date header varies: replace its value so whole responses can be compared. */
export function stable(data: string): string {
  return data.replace(/date: [^\r]*\r\n/g, 'date: X\r\n');
}

/**
 * Sends raw bytes and returns the stable (Date-less) raw response text: as soon as
 * `count` complete responses have arrived (default: one per request line sent), when
 * the server closes, or after 2 s.
 */
export function exchange(port: number, bytes: string, count = (bytes.match(/ HTTP\/1\.[01]\r\n/g) ?? []).length): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(stable(data));
    };
    const timer = setTimeout(done, 2000);
    sock.on('data', (d) => {
      data += d.toString('latin1');
      if (complete(data, count)) done();
    });
    sock.on('end', done);
    sock.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? done() : reject(e)));
    sock.on('connect', () => sock.write(Buffer.from(bytes, 'latin1')));
  });
}

/** Whether `data` holds `count` whole responses. */
function complete(data: string, count: number): boolean {
  const rs = parseResponses(data);
  if (rs.length < count) return false;
  let used = 0;
  for (const r of rs) {
    used += r.raw.length;
    const cl = r.headers['content-length'];
    if (cl !== undefined && r.body.length < Number(cl)) return false;
    if (r.headers['transfer-encoding'] === 'chunked' && !r.raw.endsWith('0\r\n\r\n')) return false;
  }
  return used === data.length;
}

/** One GET with extra header lines; the parsed response. */
export async function get(port: number, target: string, headerLines: string[] = ['host: localhost'], o: RawOptions = {}) {
  const head = `GET ${target} HTTP/1.1\r\n${headerLines.map((l) => l + '\r\n').join('')}connection: close\r\n\r\n`;
  const { data } = await rawRequest(port, head, { timeout: 1000, ...o });
  const [res] = parseResponses(data);
  if (res === undefined) throw new Error(`no response to GET ${target}: ${JSON.stringify(data)}`);
  return res;
}

/** An exact response as the transport writes it (Date replaced by stable()). */
export function response(status: string, headers: string[], body = ''): string {
  return `HTTP/1.1 ${status}\r\ndate: X\r\n${headers.map((h) => h + '\r\n').join('')}\r\n${body}`;
}
