// Runs `node bin/fasterapi.js ...` as a child process, with bounded waits; every child
// is killed when its test ends (and on exit, should a test crash).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../../bin/fasterapi.js', import.meta.url));

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stderr (log lines go there), or rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal name), or rejects after `ms`. */
  exited(ms?: number): Promise<number | string>;
  /** SIGKILL if still running. */
  kill(): void;
}

/** `fds`: descriptors of ours the child inherits as 3, 4, … (for --fd). */
export function runCli(args: string[], o: { env?: Record<string, string>; cwd?: string; fds?: number[] } = {}): Cli {
  const env: Record<string, string | undefined> = { ...process.env, ...o.env };
  // The suite may run with these set; a test sets what it needs.
  for (const k of Object.keys(env)) if (k.startsWith('FASTERAPI_') || k === 'FORWARDED_ALLOW_IPS' || k === 'WEB_CONCURRENCY') if (!(o.env && k in o.env)) delete env[k];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: o.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe', ...(o.fds ?? [])] });
  live.add(child);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    wake();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    wake();
  });
  const exit = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? -1);
      wake();
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(re, ms = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in stderr:\n${err}\nstdout:\n${out}`)), ms);
        const check = (): void => {
          const m = err.match(re);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before ${re} appeared:\n${err}`));
          } else waiters.push(check);
        };
        check();
      });
    },
    exited(ms = 5000) {
      return Promise.race([exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not exit within ${ms} ms:\n${err}`)), ms).unref())]);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs the CLI to completion (for commands that exit by themselves). */
export async function runToExit(args: string[], o: { env?: Record<string, string>; cwd?: string } = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const cli = runCli(args, o);
  try {
    const code = await cli.exited(8000);
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  } finally {
    cli.kill();
  }
}

/** Starts the CLI and waits for its start-up line; returns the URL and port. */
export async function startCli(args: string[], o: { env?: Record<string, string>; cwd?: string } = {}): Promise<{ cli: Cli; url: string; port: number }> {
  const cli = runCli(args, o);
  try {
    const m = await cli.waitFor(/running on (https?:\/\/[^\s]+)/, 8000);
    const url = m[1];
    return { cli, url, port: Number(new URL(url).port) };
  } catch (err) {
    cli.kill();
    throw err;
  }
}

/** Exactly one line on stderr, no stack trace, exit code 2. */
export function assertOneLineError(r: { code: number | string; stderr: string }, re: RegExp): void {
  assert.is(r.code, 2, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], /^fasterapi: error: /);
  assert.match(lines[0], re);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
}
