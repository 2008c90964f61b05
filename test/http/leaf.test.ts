// src/http/ is the leaf every stage may import: it must import nothing of ours outside
// itself (node: built-ins are fine). Reads the sources, so it catches type imports too.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const DIR = new URL('../../../src/http/', import.meta.url);

test('src/http imports nothing outside src/http', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 4, files.join());
  let seen = 0;
  for (const file of files) {
    const text = readFileSync(new URL(file, DIR), 'utf8');
    // `from '…'`, side-effect `import '…'` and `import('…')`, on one line or after a multi-line list.
    const specifiers = [...text.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? m[2]);
    seen += specifiers.length;
    for (const spec of specifiers) {
      const inside = spec.startsWith('./') && !spec.slice(2).includes('/');
      assert.ok(inside || spec.startsWith('node:'), `${file} imports ${spec}`);
    }
  }
  assert.ok(seen >= 3, `the pattern found ${seen} imports`); // host.ts and ip.ts import their neighbours
});

test.run();
