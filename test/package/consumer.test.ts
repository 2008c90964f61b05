// The consumer's path, as the README's first screen gives it: `npm pack`, the tarball
// installed into a fresh project (offline: its dependencies are linked from ours), the
// README's package.json, tsconfig.json (strict) and src/main.ts, type-checked and built
// with tsc, served with `npx fasterapi`, answered 200; and `require('fasterapi')`.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { get } from '../app/serve.js';
import { ROOT } from '../cli/spawn.js';
import { makeTempDir } from '../proxies/harness.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
let dir = '';

/** The fenced block under the README's bold file name. */
function readmeFile(name: string): string {
  const re = new RegExp(`\\*\\*${name.replace(/[.]/g, '\\.')}\\*\\*[^\\n]*\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\n`);
  const m = re.exec(README);
  assert.ok(m, `README has a **${name}** block`);
  return m![1];
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 30_000 });
  assert.is(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('npm pack: the files a consumer needs (built code, types, bin, CommonJS entry, docs), nothing else', async () => {
  dir = await makeTempDir('consumer');
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  const files = info.files.map((f) => f.path);
  for (const f of [
    'package.json',
    'README.md',
    'bin/fasterapi.js',
    'docs/cli.md',
    'dist/src/index.js',
    'dist/src/index.d.ts',
    'dist/src/require.cjs',
    'dist/src/fetch/index.d.ts',
    'dist/src/cli/main.js',
  ]) {
    assert.ok(files.includes(f), f);
  }
  for (const f of files) assert.ok(/^(package\.json|README\.md|bin\/|docs\/cli\.md|dist\/src\/)/.test(f), `unexpected file in the package: ${f}`);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { private?: boolean };
  assert.is(pkg.private, undefined, 'publishable');
  writeFileSync(join(dir, 'tarball'), info.filename);
});

test("a fresh TypeScript project from the README: strict type-check, build, npx fasterapi, 200 on localhost; require('fasterapi')", async () => {
  const tarball = join(dir, readFileSync(join(dir, 'tarball'), 'utf8'));
  const project = join(dir, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  const pkg = JSON.parse(readmeFile('package.json')) as Record<string, unknown>;
  assert.is(pkg.type, 'module');
  delete pkg.dependencies; // installed below, offline
  delete pkg.devDependencies;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, ...pkg }, null, 2));
  const tsconfig = readmeFile('tsconfig.json');
  assert.is((JSON.parse(tsconfig) as { compilerOptions: { strict: boolean } }).compilerOptions.strict, true);
  writeFileSync(join(project, 'tsconfig.json'), tsconfig);
  writeFileSync(join(project, 'src', 'main.ts'), readmeFile('src/main.ts'));
  const ours = join(ROOT, 'node_modules');
  // Every runtime dependency of ours, from our package.json (a list written here missed
  // @types/ws, which then came from npm's cache or failed offline on a clean machine).
  const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const links = [...Object.keys(dependencies), 'typescript', '@types/node'].map((d) => join(ours, d));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...links], project);
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc], project); // type-checks (strict) and builds: one run, it fails on any error
  for (const target of ['dist/main.js', 'src/main.ts']) {
    // Its own process group: npx does not pass SIGTERM on, so the group is signalled.
    const cli = spawn('npx', ['--offline', 'fasterapi', target, '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const exited = new Promise((r) => cli.once('exit', r));
    let err = '';
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start-up line:\n${err}`)), 10_000);
        cli.stderr!.on('data', (d: Buffer) => {
          err += d;
          const m = /running on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        cli.on('exit', (code) => reject(new Error(`exited ${code}:\n${err}`)));
      });
      const home = await get(port, '/', [`host: localhost:${port}`]);
      assert.is(home.status, 200, target);
      assert.equal(JSON.parse(home.body), { message: 'Hello, World!' });
      const ip = await get(port, '/ip', [`host: localhost:${port}`]);
      assert.is(ip.status, 200, 'localhost is an allowed host');
      assert.equal(JSON.parse(ip.body), { ip: '127.0.0.1' });
    } finally {
      process.kill(-cli.pid!, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-cli.pid!, 'SIGKILL');
      } catch {
        // the group is gone
      }
    }
  }
  // CommonJS: Node.js >= 20.19 require()s the ES modules; an older one gets one line.
  const cjs = spawnSync(process.execPath, ['-e', "const f = require('fasterapi'); console.log(typeof f.Faster, typeof f.createServer)"], { cwd: project, encoding: 'utf8' });
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19)) assert.is(cjs.stdout.trim(), 'function function', cjs.stderr);
  else assert.match(cjs.stderr, /fasterapi is an ES module and this Node\.js .* cannot require\(\) it/);
});

test.run();
