// Access log for --log-level debug only: the wrapper makes a closure per request,
// so it is installed only at that level and the normal path never pays for it.
import { pathWithRoot } from '../middleware/location.js';
import type { App, Logger, Scope, Send } from '../types.js';

/** One line per response when it starts: `client - "METHOD /path?query HTTP/1.1" status`. */
export function withAccessLog(app: App, logger: Logger): App {
  const debug = logger.debug;
  if (debug === undefined) return app;
  return (scope, receive, send) => {
    // Read now: the scope is pooled and may be reset by the time the response ends.
    const line = describe(scope);
    let logged = false;
    const log = (status: number): void => {
      if (logged) return;
      logged = true;
      debug.call(logger, `${line} ${status}`);
    };
    const logging: Send = (msg) => {
      if (msg.type === 'http.response.start') log(msg.status);
      else if (msg.type === 'websocket.accept') log(101);
      return send(msg);
    };
    return app(scope, receive, logging);
  };
}

function describe(scope: Scope): string {
  const c = scope.client;
  const who = c === null ? '-' : c[0].indexOf(':') >= 0 ? `[${c[0]}]:${c[1]}` : `${c[0]}:${c[1]}`;
  // The target as received (llhttp refuses control characters in it): no log injection.
  return `${who} - "${scope.method} ${pathWithRoot(scope)} HTTP/${scope.httpVersion}"`;
}
