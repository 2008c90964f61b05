// Serves an app module the way `npx fasterapi MODULE` does (the CLI's main(), default
// options), on the bench's PORT and HOST: the fetch-style frameworks' fasterapi contenders.
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.js';

export function serveWithCli(appModule: URL): void {
  const args = [fileURLToPath(appModule), '--port', String(process.env.PORT), '--host', process.env.HOST ?? '127.0.0.1', '--log-level', 'warning'];
  main({ args }).then((code) => {
    if (code !== 0) process.exit(code);
  });
}
