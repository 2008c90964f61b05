// node --test reporter: one JSON line per finished test (suites left out), with its full title.
export default async function* reporter(source) {
  const titles = new Map(); // file -> names by nesting, from test:start
  for await (const { type, data } of source) {
    if (type === 'test:start') {
      const stack = titles.get(data.file) ?? [];
      stack.length = data.nesting;
      stack.push(data.name);
      titles.set(data.file, stack);
    } else if ((type === 'test:pass' || type === 'test:fail') && data.details?.type !== 'suite') {
      const stack = (titles.get(data.file) ?? []).slice(0, data.nesting);
      const err = data.details?.error;
      const cause = err?.cause ?? err;
      yield `${JSON.stringify({
        pass: type === 'test:pass',
        skip: Boolean(data.skip || data.todo),
        file: data.file,
        title: [...stack, data.name].join(' > '),
        error: type === 'test:fail' ? String(cause?.message ?? cause ?? '') : undefined,
      })}\n`;
    }
  }
}
