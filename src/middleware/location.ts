// Building absolute URLs for redirects and request.url: root path, path as received,
// query. Slow path only (runs for a redirect or when a handler reads request.url).
import type { Scope } from '../types.js';

/**
 * Root path + the path as received (still percent-encoded) + '?query'. A request that
 * arrived already under the root path carries it in rawPath and is not doubled.
 */
export function pathWithRoot(scope: Scope): string {
  const root = scope.rootPath;
  const raw = scope.rawPath;
  const q = scope.queryString;
  return (underRoot(root, raw) ? raw : root + raw) + (q.length > 0 ? '?' + q : '');
}

/** `raw` already starts with the root path (a whole segment of it): it is not prefixed again. */
export function underRoot(root: string, raw: string): boolean {
  return root.length > 0 && raw.startsWith(root) && (raw.length === root.length || raw.charCodeAt(root.length) === 0x2f);
}

/** Host for a URL: IPv6 literals in brackets. */
export function bracketHost(host: string): string {
  return host.indexOf(':') >= 0 && host.charCodeAt(0) !== 0x5b ? '[' + host + ']' : host;
}
