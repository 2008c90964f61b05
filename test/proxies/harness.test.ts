/**
 * Self-check of the proxy harness: each real proxy in front of a raw node:net
 * echo backend, asserting exactly what the backend received.
 *
 * A missing proxy binary fails the test when CI is set (.ci/run installs them)
 * and otherwise prints a SKIP line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as net from 'node:net';
import {
  PROXY_V2_SIGNATURE,
  SERVER_NAME,
  freePort,
  has,
  headerValues,
  makeCert,
  makeTempDir,
  parseHead,
  request,
  startCaddy,
  startEchoBackend,
  startHaproxy,
  startNginx,
  type EchoBackend,
  type ProxyHandle,
  available,
} from './harness.js';

const TEST_TIMEOUT_MS = 20_000;

// Everything a test started; stopped by after.each whether the test passed, failed or timed out.
const cleanups: Array<() => Promise<void>> = [];

test.after.each(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const fn of pending) {
    try {
      await fn();
    } catch (err) {
      console.error('cleanup failed:', err);
    }
  }
});

/** A test whose body is bounded in time. */
function bounded(name: string, fn: () => Promise<void>): void {
  test(name, async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${name}: timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  });
}

async function backend(): Promise<EchoBackend> {
  const b = await startEchoBackend();
  cleanups.push(() => b.close());
  return b;
}

async function proxy(p: Promise<ProxyHandle>): Promise<ProxyHandle> {
  const h = await p;
  cleanups.push(() => h.stop());
  return h;
}

/** The single request head the backend saw, parsed. */
function seen(b: EchoBackend, index = 0) {
  const raw = b.received[index];
  assert.ok(raw, `backend received request #${index}`);
  return { raw, ...parseHead(raw) };
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

// ---------------------------------------------------------------------------

bounded('harness: freePort, has, makeCert', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  assert.ok(has(process.execPath));
  assert.not.ok(has('definitely-not-a-binary-4711'));
  if (!available('makeCert', ['openssl'])) return;
  const dir = await makeTempDir('cert');
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const { cert, key } = await makeCert(dir);
  const x509 = new X509Certificate(readFileSync(cert));
  assert.ok(x509.subject.includes(`CN=${SERVER_NAME}`), x509.subject);
  assert.ok(x509.subjectAltName?.includes(`DNS:${SERVER_NAME}`), x509.subjectAltName);
  assert.ok(x509.subjectAltName?.includes('IP Address:127.0.0.1'), x509.subjectAltName);
  assert.ok(readFileSync(key, 'utf8').includes('PRIVATE KEY'));
});

bounded('echo backend (raw node:net) echoes the request head', async () => {
  const b = await backend();
  const res = await request(`http://127.0.0.1:${b.port}/x?y=1`, { headers: { 'x-test': 'a' } });
  assert.is(res.status, 200);
  assert.ok(res.body.startsWith('GET /x?y=1 HTTP/1.1\r\n'), res.body);
  assert.equal(headerValues(seen(b), 'x-test'), ['a']);
});

bounded('nginx (seed config, TLS): X-Forwarded-For/-Proto, X-Real-IP, Host, /api/ stripped', async () => {
  if (!available('nginx', ['nginx', 'openssl'])) return;
  const b = await backend();
  const p = await proxy(startNginx({ backendPort: b.port }));
  assert.ok(p.url.startsWith('https://127.0.0.1:'), p.url);

  const res = await request(`${p.url}/api/items/1?q=2`);
  assert.is(res.status, 200, res.body);
  const s = seen(b);
  // nginx speaks HTTP/1.0 to upstreams unless proxy_http_version is set (the seed config does not set it)
  assert.is(s.requestLine, 'GET /items/1?q=2 HTTP/1.0');
  assert.equal(headerValues(s, 'host'), [SERVER_NAME]);
  assert.equal(headerValues(s, 'x-real-ip'), ['127.0.0.1']);
  assert.equal(headerValues(s, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(headerValues(s, 'x-forwarded-proto'), ['https']);
  assert.equal(headerValues(s, 'connection'), ['close']);
  assert.is(res.body, s.raw.toString('utf8'));

  // $proxy_add_x_forwarded_for appends to whatever the client sent: spoofable
  await request(`${p.url}/api/`, { headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'http' } });
  const s2 = seen(b, 1);
  assert.is(s2.requestLine, 'GET / HTTP/1.0');
  assert.equal(headerValues(s2, 'x-forwarded-for'), ['203.0.113.9, 127.0.0.1']);
  assert.equal(headerValues(s2, 'x-forwarded-proto'), ['https']);

  // outside location /api/ nothing reaches the backend
  const miss = await request(`${p.url}/other`);
  assert.is(miss.status, 404);
  assert.is(b.received.length, 2);

  // SNI api.example.com with the test certificate verifies for real
  const ca = readFileSync(`${p.dir}/api.pem`);
  const verified = await request(`${p.url}/api/v`, { rejectUnauthorized: true, ca });
  assert.is(verified.status, 200);

  // stop() kills it and removes the temp dir
  await p.stop();
  assert.not.ok(existsSync(p.dir), 'temp dir removed');
  assert.ok(await refused(p.port), 'port closed after stop()');
});

bounded('nginx (seed config, plain http): X-Forwarded-Proto http', async () => {
  if (!available('nginx', ['nginx'])) return;
  const b = await backend();
  const p = await proxy(startNginx({ backendPort: b.port, tls: false }));
  assert.ok(p.url.startsWith('http://127.0.0.1:'), p.url);
  const res = await request(`${p.url}/api/ping`, { headers: { host: SERVER_NAME } });
  assert.is(res.status, 200);
  const s = seen(b);
  assert.is(s.requestLine, 'GET /ping HTTP/1.0');
  assert.equal(headerValues(s, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(headerValues(s, 'x-forwarded-proto'), ['http']);
  assert.equal(headerValues(s, 'x-real-ip'), ['127.0.0.1']);
});

bounded('haproxy option forwardfor: X-Forwarded-For appended as its own line, X-Forwarded-Proto set', async () => {
  if (!available('haproxy forwardfor', ['haproxy'])) return;
  const b = await backend();
  const p = await proxy(startHaproxy({ backendPort: b.port, mode: 'forwardfor' }));
  const res = await request(`${p.url}/api/x`);
  assert.is(res.status, 200, res.body);
  const s = seen(b);
  assert.is(s.requestLine, 'GET /api/x HTTP/1.1');
  assert.equal(headerValues(s, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(headerValues(s, 'x-forwarded-proto'), ['http']);

  // a client-sent X-Forwarded-For is kept and haproxy adds a second header line
  await request(`${p.url}/`, { headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https' } });
  const s2 = seen(b, 1);
  assert.equal(headerValues(s2, 'x-forwarded-for'), ['203.0.113.9', '127.0.0.1']);
  assert.equal(headerValues(s2, 'x-forwarded-proto'), ['http']);
});

bounded('haproxy send-proxy-v2: binary PROXY v2 header, then the request unchanged', async () => {
  if (!available('haproxy send-proxy-v2', ['haproxy'])) return;
  const b = await backend();
  const p = await proxy(startHaproxy({ backendPort: b.port, mode: 'send-proxy-v2' }));
  const res = await request(`${p.url}/api/x`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
  assert.is(res.status, 200, res.body);
  const raw = seen(b).raw;
  assert.ok(raw.subarray(0, 12).equals(PROXY_V2_SIGNATURE), `v2 signature, got ${raw.subarray(0, 12).toString('hex')}`);
  assert.equal(res.rawBody.subarray(0, 12), PROXY_V2_SIGNATURE);
  assert.is(raw[12], 0x21, 'version 2, command PROXY');
  assert.is(raw[13], 0x11, 'AF_INET, STREAM (TCP4)');
  const len = raw.readUInt16BE(14);
  assert.ok(len >= 12, `address block length ${len}`);
  assert.equal([...raw.subarray(16, 20)], [127, 0, 0, 1], 'source address');
  assert.equal([...raw.subarray(20, 24)], [127, 0, 0, 1], 'destination address');
  assert.is(raw.readUInt16BE(26), p.port, 'destination port is the proxy port');
  const s = parseHead(raw);
  assert.is(s.requestLine, 'GET /api/x HTTP/1.1');
  assert.equal(headerValues(s, 'x-forwarded-for'), ['203.0.113.9'], 'tcp mode forwards headers untouched');
});

bounded('haproxy send-proxy (v1): text PROXY TCP4 line', async () => {
  if (!available('haproxy send-proxy', ['haproxy'])) return;
  const b = await backend();
  const p = await proxy(startHaproxy({ backendPort: b.port, mode: 'send-proxy' }));
  const res = await request(`${p.url}/v1`);
  assert.is(res.status, 200, res.body);
  const text = seen(b).raw.toString('latin1');
  const m = /^PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 (\d+) (\d+)\r\nGET \/v1 HTTP\/1\.1\r\n/.exec(text);
  assert.ok(m, JSON.stringify(text.slice(0, 80)));
  assert.is(Number(m![2]), p.port);
});

bounded('caddy reverse_proxy: X-Forwarded-For/-Proto/-Host, spoofed X-Forwarded-For replaced', async () => {
  if (!available('caddy', ['caddy'])) return;
  const b = await backend();
  const p = await proxy(startCaddy({ backendPort: b.port }));
  const res = await request(`${p.url}/api/x`);
  assert.is(res.status, 200, res.body);
  const s = seen(b);
  assert.is(s.requestLine, 'GET /api/x HTTP/1.1');
  assert.equal(headerValues(s, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(headerValues(s, 'x-forwarded-proto'), ['http']);
  assert.equal(headerValues(s, 'x-forwarded-host'), [`127.0.0.1:${p.port}`]);

  // caddy (no trusted_proxies) drops what an untrusted client claims
  await request(`${p.url}/`, { headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https' } });
  const s2 = seen(b, 1);
  assert.equal(headerValues(s2, 'x-forwarded-for'), ['127.0.0.1']);
  assert.equal(headerValues(s2, 'x-forwarded-proto'), ['http']);
});

test.run();
