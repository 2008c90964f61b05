// docs/design.md opens with a map of src/: one row per module. It must match the tree,
// or a newcomer is sent to a file that moved.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...sources(`${dir}/${e.name}`, `${prefix}${e.name}/`));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(prefix + e.name);
  }
  return out.sort();
}

test('docs/design.md: the map of src/ lists every module, and only those', () => {
  const doc = readFileSync(`${ROOT}docs/design.md`, 'utf8');
  const map = doc.slice(doc.indexOf('## Map of `src/`'), doc.indexOf('\n## ', doc.indexOf('## Map of `src/`') + 5));
  const listed = [...map.matchAll(/^\| `([a-z0-9/-]+\.ts)` \|/gm)].map((m) => m[1]).sort();
  assert.ok(listed.length > 40, `${listed.length} rows found`);
  assert.equal(listed, sources(`${ROOT}src`));
});

test.run();
