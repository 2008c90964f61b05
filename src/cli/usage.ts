// The --help text, generated from the flag table so the two cannot drift apart.
import { APP_ENV, FLAGS } from './args.js';

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const left = (f.negation ? `${f.flag}, ${f.negation}` : f.flag) + (f.value ? ` ${f.value}` : '');
    const notes: string[] = [];
    if (f.env.length > 0) notes.push(`env ${f.env.join(' or ')}`);
    if (f.defaultText) notes.push(`default ${f.defaultText}`);
    return `  ${left}\n      ${f.help}` + (notes.length > 0 ? `\n      (${notes.join('; ')})` : '');
  });
  return `Usage: fasterapi MODULE[:EXPORT] [options]

Serves the app a module exports on the fasterapi transport.

MODULE is a JavaScript file (env ${APP_ENV}). When it does not exist but its compiled
twin under dist/ does (examples/hello.js -> dist/examples/hello.js, or a .ts file ->
dist/<same path>.js), the twin is loaded. EXPORT names the export to serve; without
it the default export (else one named 'app') is used. It may be:
  - a Faster app (new Faster(); app.get(...); export default app),
  - an object with a fetch(request) method (Hono and other fetch-style apps),
  - an ASGI-style function (scope, receive, send).

Options:
${rows.join('\n')}

Signals: SIGTERM or SIGINT stop accepting connections, let in-flight requests finish
and exit 0; a second signal exits at once. Errors (bad option, missing module or
export, port in use) print one line and exit with code 2.

Examples:
  fasterapi examples/hello.js
  fasterapi main.js:app --host 0.0.0.0 --port 8000 --workers 4
  fasterapi main.js --proxy nginx --root-path /api/v1 --forwarded-allow-ips "10.0.0.0/8,127.0.0.1"
`;
}
