// Finding, importing and adapting the app a module exports.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as util from 'node:util';
import { UsageError, type AppInterface } from './args.js';
import { adapt, type DetectedApp, firstLine } from './detect.js';

export { firstLine } from './detect.js';

/** What the CLI serves: the ASGI app and any server options the app object carries. */
export interface LoadedApp extends DetectedApp {
  /** The file loaded, relative to cwd when inside it. */
  file: string;
}

export interface LoadOptions {
  /** --factory: the export is a function returning the app (awaited). */
  factory?: boolean;
  /** --interface: what the export is ('auto' detects it). */
  interface?: AppInterface;
}

/** 'main.js:app' → ['main.js', 'app']; a ':' not followed by an identifier stays in the path. */
export function splitSpec(spec: string): [string, string | null] {
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && /^[A-Za-z_$][\w$]*$/.test(spec.slice(colon + 1)) && !/^[A-Za-z]$/.test(spec.slice(0, colon))) {
    return [spec.slice(0, colon), spec.slice(colon + 1)];
  }
  return [spec, null];
}

/** Whether this Node.js runs .ts files itself (type stripping: 22.18+, 23.6+, or 22.6+ with the flag). */
export function stripsTypes(): boolean {
  return Boolean((process.features as { typescript?: unknown }).typescript) || process.execArgv.includes('--experimental-strip-types');
}

const TS = /\.(c|m)?ts$/;
const jsOf = (p: string): string => p.replace(TS, (_m, k: string | undefined) => `.${k ?? ''}js`);

/**
 * The file for `path`. A named file that exists is loaded as it is, except a TypeScript
 * file on a Node.js that cannot run it: then its compiled twin (beside it, or under
 * dist/ with or without the first folder, as `rootDir: src, outDir: dist` lays it out),
 * and only when the twin is not older than the .ts (a stale twin is an error, never
 * served in its place). A missing .js path falls back to its twin under dist/, then to
 * .js / .mjs added. Throws UsageError naming every place looked at.
 */
export function resolveModuleFile(path: string, cwd: string): string {
  const named = resolve(cwd, path);
  const namedStat = stat(named);
  const ts = TS.test(path);
  if (namedStat !== null && !ts) return named;
  const candidates: string[] = [];
  const add = (p: string): void => {
    if (!candidates.includes(p)) candidates.push(p);
  };
  const rel = isAbsolute(path) ? relative(cwd, path) : path;
  const twins = (p: string): void => {
    add(resolve(cwd, 'dist', p));
    const parts = p.split(/[\\/]/);
    if (parts.length > 1 && parts[0] !== '..' && parts[0] !== '.') add(resolve(cwd, 'dist', ...parts.slice(1)));
  };
  if (ts) {
    add(resolve(cwd, jsOf(rel)));
    twins(jsOf(rel));
    if (namedStat !== null && stripsTypes()) {
      // A compiled twin as new as the source is the same code and resolves './x.js' imports.
      for (const c of candidates) {
        const s = stat(c);
        if (s !== null && s.mtimeMs >= namedStat.mtimeMs) return c;
      }
      return named;
    }
    if (namedStat !== null) {
      for (const c of candidates) {
        const s = stat(c);
        if (s === null) continue;
        if (s.mtimeMs >= namedStat.mtimeMs) return c;
        throw new UsageError(`${display(c, cwd)} is older than ${display(named, cwd)}: rebuild it (npx tsc), or run the .ts with ${TS_RUNTIME}`);
      }
      throw new UsageError(`Node.js ${process.version} cannot run TypeScript (${display(named, cwd)}): compile it (npx tsc) and name the .js file, or use ${TS_RUNTIME}`);
    }
  } else {
    twins(rel);
    if (!/\.(c|m)?js$/.test(path)) {
      for (const ext of ['.js', '.mjs']) {
        add(resolve(cwd, rel + ext));
        twins(rel + ext);
      }
    }
  }
  for (const c of candidates) if (stat(c) !== null) return c;
  const shown = [named, ...candidates].map((c) => display(c, cwd)).join(', ');
  throw new UsageError(`cannot find module '${path}' (looked for ${shown})`);
}

const TS_RUNTIME = 'Node.js >= 22.18 (or 22.6+ with NODE_OPTIONS=--experimental-strip-types)';

function stat(p: string): Stats | null {
  try {
    const s = statSync(p);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

export function display(file: string, cwd: string): string {
  const r = relative(cwd, file);
  return r.startsWith('..') || isAbsolute(r) ? file : r;
}

/** Imports the module for `spec` (under `cwd`) and adapts its export. Throws UsageError on every failure. */
export async function loadApp(spec: string, cwd: string, o: LoadOptions = {}): Promise<LoadedApp> {
  const [path, exportName] = splitSpec(spec);
  const file = resolveModuleFile(path, cwd);
  const shown = display(file, cwd);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`failed to load ${shown}: ${importError(err, file, cwd)}`);
  }
  const names = Object.keys(mod);
  const list = names.length > 0 ? names.join(', ') : 'nothing';
  let name = exportName;
  if (name === null) {
    if (mod.default !== undefined) name = 'default';
    else if (mod.app !== undefined) name = 'app';
    else throw new UsageError(`${shown} has no default export; name one as ${path}:NAME (it exports: ${list})`);
  }
  if (!Object.hasOwn(mod, name) || mod[name] === undefined) throw new UsageError(`${shown} has no export '${name}' (it exports: ${list})`);
  let value = mod[name];
  let what = `export '${name}' of ${shown}`;
  if (o.factory) {
    if (typeof value !== 'function') throw new UsageError(`--factory: ${what} is not a function`);
    try {
      value = await (value as () => unknown)();
    } catch (err) {
      throw new UsageError(`--factory: ${what} threw: ${importError(err, file, cwd)}`);
    }
    what = `the app ${name}() of ${shown} returned`;
  }
  const hint = o.interface === undefined || o.interface === 'auto' ? undefined : o.interface;
  // detect.ts takes the --interface hint as a third argument (issue 16's engineer adds it).
  const detect = adapt as (value: unknown, what: string, hint?: string) => Promise<DetectedApp>;
  return { ...(await detect(value, what, hint)), file: shown };
}

const OWN_DIR = dirname(dirname(fileURLToPath(import.meta.url))) + sep;

/**
 * The message of an error thrown while importing, led by the first place in the user's
 * code it points at ('deep/lib.mjs:2:9: SyntaxError: …'). Node keeps the location of an
 * ES module syntax error out of err.stack (it prints it only for an uncaught error), so
 * for those a child process imports the module once more, only to read that location:
 * parsing fails before any module runs, so nothing of the app executes twice.
 */
export function importError(err: unknown, file: string, cwd: string): string {
  const e = err as NodeJS.ErrnoException;
  const message = `${e instanceof Error ? `${e.name}: ` : ''}${firstLine(e)}`;
  if (e?.code === 'ERR_UNKNOWN_FILE_EXTENSION' && TS.test(String(e.message))) {
    return `Node.js ${process.version} cannot run TypeScript: compile it (npx tsc) and name the .js file, or use ${TS_RUNTIME}`;
  }
  let where = stackLocation(String(e instanceof Error ? e.stack : ''), cwd);
  if (where === null && e instanceof SyntaxError) where = syntaxLocation(file, cwd);
  return where === null ? message : `${where}: ${message}`;
}

/** The first 'file:line:column' of the stack outside node internals and this package. */
function stackLocation(stack: string, cwd: string): string | null {
  const re = /(?:^|[\s(])(file:\/\/\/[^\s):]+|\/[^\s):]+):(\d+)(?::(\d+))?/gm;
  for (let m = re.exec(stack); m !== null; m = re.exec(stack)) {
    const path = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
    if (path.startsWith(OWN_DIR)) continue;
    return `${display(path, cwd)}:${m[2]}${m[3] ? `:${m[3]}` : ''}`;
  }
  return null;
}

function syntaxLocation(file: string, cwd: string): string | null {
  const r = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`], {
    cwd,
    encoding: 'utf8',
    timeout: 5000,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines = (r.stderr ?? '').split('\n');
  const m = /^(file:\/\/\/\S+|\/\S+):(\d+)$/.exec(lines[0] ?? '');
  if (m === null) return null;
  const caret = (lines[2] ?? '').indexOf('^');
  const path = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
  return `${display(path, cwd)}:${m[2]}${caret >= 0 ? `:${caret + 1}` : ''}`;
}

/** Reads KEY=value lines (dotenv syntax) of an --env-file into `env`; variables already set win. */
export function loadEnvFile(path: string, cwd: string, env: Record<string, string | undefined>): void {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new UsageError(`--env-file ${path}: ${firstLine(err)}`);
  }
  const parse = (util as { parseEnv?: (s: string) => Record<string, string> }).parseEnv;
  if (parse === undefined) throw new UsageError(`--env-file needs Node.js >= 20.12 (this is ${process.version})`);
  const vars = parse(text);
  for (const [k, v] of Object.entries(vars)) if (env[k] === undefined) env[k] = v;
}
