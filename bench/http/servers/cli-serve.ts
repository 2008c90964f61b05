// Serves an app module the way `npx fasterapi MODULE` does (the CLI's main(), default
// options), on the bench's PORT and HOST: the frameworks' fasterapi contenders. Default
// options include the access log (on at info, as uvicorn's): its lines go to the pipe
// the suite reads, so its cost is in the figures, as it is for a user.
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.js';

export function serveWithCli(appModule: URL): void {
  const args = [fileURLToPath(appModule), '--port', String(process.env.PORT), '--host', process.env.HOST ?? '127.0.0.1'];
  main({ args }).then((code) => {
    if (code !== 0) process.exit(code);
  });
}
