// Plain copies of a scope, taken inside the app, so tests can compare requests after
// the pooled scope has been reused.
import type { Scope } from '../../src/types.js';

export interface ScopeSnapshot {
  type: string;
  httpVersion: string;
  method: string;
  scheme: string;
  server: [string, number | null];
  client: [string, number] | null;
  rootPath: string;
  path: string;
  rawPath: string;
  queryString: string;
  size: number;
  entries: [string, string][];
  /** headers.get() of the names asked for (null when absent). */
  get: Record<string, string | null>;
}

export function snapshotScope(scope: Scope, names: string[] = []): ScopeSnapshot {
  const get: Record<string, string | null> = {};
  for (const n of names) get[n] = scope.headers.get(n);
  return {
    type: scope.type,
    httpVersion: scope.httpVersion,
    method: scope.method,
    scheme: scope.scheme,
    server: [scope.server[0], scope.server[1]],
    client: scope.client === null ? null : [scope.client[0], scope.client[1]],
    rootPath: scope.rootPath,
    path: scope.path,
    rawPath: scope.rawPath,
    queryString: scope.queryString,
    size: scope.headers.size,
    entries: [...scope.headers.entries()],
    get,
  };
}
