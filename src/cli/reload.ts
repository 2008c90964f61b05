// --reload: watches the app's directory (or the --reload-dir ones) and reports changed
// files whose names match --reload-include and not --reload-exclude, batched over 100 ms.
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import type { Logger } from '../types.js';
import type { CliConfig } from './args.js';

const INCLUDE = ['*.js', '*.mjs', '*.cjs', '*.ts', '*.mts', '*.cts', '*.json'];
const EXCLUDE = ['.*', 'node_modules', '*~'];
const BATCH_MS = 100;

/** A glob over one path segment or a whole relative path: '*' within a segment, '**' across. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether `rel` (a path under a watched directory) should trigger a reload. */
export function reloadMatches(rel: string, includes: readonly RegExp[], excludes: readonly RegExp[]): boolean {
  const parts = rel.split(sep).join('/').split('/');
  const test = (res: readonly RegExp[], s: string): boolean => res.some((r) => r.test(s));
  for (const p of parts) if (test(excludes, p)) return false;
  const whole = parts.join('/');
  if (test(excludes, whole)) return false;
  return test(includes, parts[parts.length - 1]) || test(includes, whole);
}

export function watchForReload(config: CliConfig, appFile: string, cwd: string, logger: Logger, onChange: (file: string) => void): () => void {
  const dirs = config.reloadDirs.length > 0 ? config.reloadDirs.map((d) => resolve(cwd, d)) : [dirname(appFile)];
  const includes = [...INCLUDE, ...config.reloadIncludes].map(globToRegExp);
  const excludes = [...EXCLUDE, ...config.reloadExcludes].map(globToRegExp);
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  let first: string | null = null;
  for (const dir of dirs) {
    try {
      const w = watch(dir, { recursive: true }, (_event, name) => {
        if (name === null) return;
        const rel = String(name);
        if (!reloadMatches(rel, includes, excludes)) return;
        first ??= relative(cwd, resolve(dir, rel)) || basename(rel);
        if (timer === null) {
          timer = setTimeout(() => {
            timer = null;
            const f = first!;
            first = null;
            onChange(f);
          }, BATCH_MS);
        }
      });
      w.on('error', (err) => logger.warn(`--reload: watching ${dir} failed: ${err.message}`));
      watchers.push(w);
    } catch (err) {
      logger.warn(`--reload: cannot watch ${dir}: ${(err as Error).message}`);
    }
  }
  logger.info(`--reload: watching ${dirs.map((d) => relative(cwd, d) || '.').join(', ')} (development only)`);
  return () => {
    if (timer !== null) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
