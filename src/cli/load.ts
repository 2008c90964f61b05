// Finding, importing and adapting the app a module exports.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './args.js';
import { adapt, type DetectedApp, firstLine } from './detect.js';

export { firstLine } from './detect.js';

/** What the CLI serves: the ASGI app and any server options the app object carries. */
export interface LoadedApp extends DetectedApp {
  /** The file loaded, relative to cwd when inside it. */
  file: string;
}

/** 'main.js:app' → ['main.js', 'app']; a ':' not followed by an identifier stays in the path. */
export function splitSpec(spec: string): [string, string | null] {
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && /^[A-Za-z_$][\w$]*$/.test(spec.slice(colon + 1)) && !/^[A-Za-z]$/.test(spec.slice(0, colon))) {
    return [spec.slice(0, colon), spec.slice(colon + 1)];
  }
  return [spec, null];
}

/**
 * The file for `path`: itself when it exists (a .ts file only without a compiled twin),
 * else its compiled twin under dist/, else with .js / .mjs added. Throws UsageError
 * naming every place looked at.
 */
export function resolveModuleFile(path: string, cwd: string): string {
  const candidates: string[] = [];
  const add = (p: string): void => {
    if (!candidates.includes(p)) candidates.push(p);
  };
  const twin = (p: string): string => (isAbsolute(p) ? resolve(cwd, 'dist', relative(cwd, p)) : resolve(cwd, 'dist', p));
  const ts = /\.(c|m)?ts$/.test(path);
  const jsOf = (p: string): string => p.replace(/\.(c|m)?ts$/, (_m, k: string | undefined) => `.${k ?? ''}js`);
  if (ts) {
    add(twin(jsOf(path)));
    add(resolve(cwd, jsOf(path)));
    add(resolve(cwd, path));
  } else {
    add(resolve(cwd, path));
    add(twin(path));
    if (!/\.(c|m)?js$/.test(path)) {
      for (const ext of ['.js', '.mjs']) {
        add(resolve(cwd, path + ext));
        add(twin(path + ext));
      }
    }
  }
  for (const c of candidates) if (isFile(c)) return c;
  const shown = candidates.map((c) => display(c, cwd)).join(', ');
  throw new UsageError(`cannot find module '${path}' (looked for ${shown})`);
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

export function display(file: string, cwd: string): string {
  const r = relative(cwd, file);
  return r.startsWith('..') || isAbsolute(r) ? file : r;
}

/** Imports the module for `spec` and adapts its export. Throws UsageError on every failure. */
export async function loadApp(spec: string, cwd: string): Promise<LoadedApp> {
  const [path, exportName] = splitSpec(spec);
  const file = resolveModuleFile(path, cwd);
  const shown = display(file, cwd);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ERR_UNKNOWN_FILE_EXTENSION' ? 'this Node.js cannot run TypeScript directly; build it first (npm run build)' : firstLine(e);
    throw new UsageError(`failed to load ${shown}: ${why}`);
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
  return { ...(await adapt(mod[name], `export '${name}' of ${shown}`)), file: shown };
}
