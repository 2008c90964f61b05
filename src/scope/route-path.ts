// The path an app routes on: scope.path without scope.rootPath, the one rule for both.
import type { Scope } from '../types.js';

/**
 * `scope.path` with `scope.rootPath` removed when the path is under it (at a segment
 * boundary), else `scope.path` unchanged: a request the proxy already stripped and one
 * that still carries the prefix reach the same route, as Starlette's get_route_path().
 * The root path alone routes as '/'. Whoever set rootPath (the trust stage, --root-path,
 * or a middleware's `{ ...scope, rootPath }`), the result is the same.
 */
export function routePath(scope: Scope): string {
  const path = scope.path;
  const root = scope.rootPath;
  if (root.length === 0 || !path.startsWith(root)) return path;
  if (path.length === root.length) return '/';
  return path.charCodeAt(root.length) === 0x2f ? path.slice(root.length) : path;
}
