// examples/nginx/fasterapi.conf in front of the client-ip example, with real Nginx:
// only the listen port, the upstream port and the certificate paths are substituted.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import * as net from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SERVER_NAME, freePort, makeCert, makeTempDir, which } from '../proxies/harness.js';
import { ROOT, startCli, type Cli } from '../cli/spawn.js';

let nginx: ChildProcess | null = null;
let dir = '';
let app: Cli | null = null;
let nginxPort = 0;
let nginxLog = '';

function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${port}:\n${nginxLog}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** GET through Nginx over TLS, from a chosen loopback source address. */
function request(path: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: nginxPort, path, servername: SERVER_NAME, rejectUnauthorized: false, localAddress, agent: false, headers: { host: SERVER_NAME, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test.before(async () => {
  const binary = which('nginx');
  if (binary === null) throw new Error('nginx is not installed (.ci/run installs nginx-light)');
  // The test's "browsers" connect from 127.0.0.5-7, inside the default trusted range
  // (loopback): trust exactly Nginx's address, as a real deployment trusts its proxy's.
  const started = await startCli(['examples/client-ip.js', '--port', '0', '--root-path', '/api', '--forwarded-allow-ips', '127.0.0.1']);
  app = started.cli;
  dir = await makeTempDir('example-nginx');
  const cert = await makeCert(dir);
  nginxPort = await freePort();
  const site = readFileSync(`${ROOT}examples/nginx/fasterapi.conf`, 'utf8')
    .replace('listen 443 ssl;', `listen 127.0.0.1:${nginxPort} ssl;`)
    .replace('server 127.0.0.1:8000;', `server 127.0.0.1:${started.port};`)
    .replace('/etc/ssl/certs/api.pem', cert.cert)
    .replace('/etc/ssl/private/api.key', cert.key);
  assert.ok(site.includes(`127.0.0.1:${nginxPort} ssl`) && site.includes(cert.key), 'substitutions applied');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const conf = `${asRoot ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path ${dir}/client_body_temp;
    proxy_temp_path       ${dir}/proxy_temp;
    fastcgi_temp_path     ${dir}/fastcgi_temp;
    uwsgi_temp_path       ${dir}/uwsgi_temp;
    scgi_temp_path        ${dir}/scgi_temp;
${site}
}
`;
  await writeFile(join(dir, 'nginx.conf'), conf);
  nginx = spawn(binary, ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stdout!.on('data', (d: Buffer) => (nginxLog += d.toString()));
  nginx.stderr!.on('data', (d: Buffer) => (nginxLog += d.toString()));
  await waitForPort(nginxPort, 5000);
});

test.after(async () => {
  if (nginx !== null && nginx.exitCode === null) {
    nginx.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        nginx?.kill('SIGKILL');
        r(undefined);
      }, 3000);
      nginx!.once('exit', () => {
        clearTimeout(t);
        r(undefined);
      });
    });
  }
  if (app !== null) {
    app.child.kill('SIGTERM');
    await app.exited().catch(() => undefined);
    app.kill();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('examples/nginx/fasterapi.conf: the app sees the browser address, https, and its /api mount point', async () => {
  const r = await request('/api/client', '127.0.0.5');
  assert.is(r.status, 200, r.body);
  assert.equal(JSON.parse(r.body), { ip: '127.0.0.5', scheme: 'https' });
  const seed = await request('/api/ip', '127.0.0.6');
  assert.equal(JSON.parse(seed.body), { ip: '127.0.0.6' }, "the seed's handler, behind a proxy that overwrites X-Forwarded-For");
});

test('examples/nginx/fasterapi.conf: a client-supplied X-Forwarded-For is appended to, not trusted, by request.client', async () => {
  const r = await request('/api/client', '127.0.0.7', { 'x-forwarded-for': '6.6.6.6' });
  // Nginx appends the real peer ($proxy_add_x_forwarded_for): the trust stage takes the rightmost untrusted.
  assert.equal(JSON.parse(r.body), { ip: '127.0.0.7', scheme: 'https' });
});

test.run();
