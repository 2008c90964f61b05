// The --help text, generated from the flag table so the two cannot drift apart.
import { APP_ENV, FLAGS, NOT_SUPPORTED } from './args.js';

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const left = (f.negation ? `${f.flag}, ${f.negation}` : f.flag) + (f.value ? ` ${f.value}` : '');
    const notes: string[] = [];
    if (f.env.length > 0) notes.push(`env ${f.env.join(' or ')}`);
    if (f.defaultText) notes.push(`default ${f.defaultText}`);
    notes.push(`uvicorn: ${f.uvicorn}`);
    return `  ${left}\n      ${f.help}\n      (${notes.join('; ')})`;
  });
  const missing = NOT_SUPPORTED.map(([flag, why]) => `  ${flag}: ${why}`);
  return `Usage: fasterapi MODULE[:EXPORT] [options]

Serves the app a module exports on the fasterapi transport.

MODULE is a JavaScript or TypeScript file (env ${APP_ENV}), found under --app-dir. A .ts
file runs as it is where Node.js strips types (22.18+); elsewhere its compiled twin is
loaded (main.js beside it, or dist/main.js, or dist/ without the first folder for
rootDir src), and only if not older than the .ts. EXPORT names the export to serve;
without it the default export (else one named 'app') is used. It may be:
  - a Faster app (new Faster(); app.get(...); export default app),
  - an object with a fetch(request) method (Hono and other fetch-style apps),
  - an ASGI-style function (scope, receive, send),
  - with --factory, a function returning (or resolving to) one of these.

Options (times in seconds, as uvicorn's):
${rows.join('\n')}

uvicorn options with no equivalent here:
${missing.join('\n')}

Signals: SIGTERM or SIGINT stop accepting connections, let in-flight requests finish
(at most --timeout-graceful-shutdown) and exit 0; a second signal exits at once.
Errors (bad option, missing module or export, port in use) print one line and exit
with code 2.

Examples:
  fasterapi main.js
  fasterapi main.js:app --host 0.0.0.0 --port 8000 --workers 4
  fasterapi main.js --uds /run/app.sock --forwarded-allow-ips unix --proxy nginx
  fasterapi main.js --ssl-keyfile key.pem --ssl-certfile cert.pem --port 8443
  fasterapi factory.js:createApp --factory --reload
`;
}
