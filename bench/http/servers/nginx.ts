// Contender: nginx (when installed), one worker, `return 200`. Not a Node script: the runner spawns
// the command this module prepares (config, pid, logs and temp paths all in a fresh temp dir).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NginxCommand {
  command: string;
  args: string[];
  cleanup(): void;
}

export function nginxVersion(binary = 'nginx'): string | null {
  // `nginx -v` prints "nginx version: nginx/1.22.1" on stderr.
  const out = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return /nginx\/([\d.]+)/.exec(`${out.stderr ?? ''}${out.stdout ?? ''}`)?.[1] ?? null;
}

export function nginxCommand(port: number, host = '127.0.0.1', binary = 'nginx'): NginxCommand {
  const dir = mkdtempSync(join(tmpdir(), 'fasterapi-bench-nginx-'));
  const conf = `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  server_tokens off;
  keepalive_requests 100000000;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_x_forwarded_for $first_forwarded {
    "~^\\s*(?<first>[^,\\s]+)" $first;
    default $remote_addr;
  }
  server {
    listen ${host}:${port};
    location = / { default_type text/plain; return 200 "Hello, World!"; }
    location = /json { default_type application/json; return 200 '{"message":"Hello, World!"}'; }
    location = /ip { default_type application/json; return 200 '{"ip":"$first_forwarded"}'; }
    location / { return 404; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const version = nginxVersion(binary) ?? '0';
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  // -e (error log before the config is read) exists since 1.19.5.
  const hasE = major > 1 || (major === 1 && (minor > 19 || (minor === 19 && patch >= 5)));
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), ...(hasE ? ['-e', join(dir, 'error.log')] : [])];
  return { command: binary, args, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
