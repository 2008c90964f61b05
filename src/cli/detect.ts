// What kind of app an export is (Faster, fetch-style, ASGI function), and the App that serves it.
import type { App } from '../types.js';
import type { FasterOptions } from '../app/faster.js';
import { UsageError } from './args.js';

/**
 * A Faster app (duck-typed by its `asgi` function, so another copy of the package
 * works too), an object with fetch(), or an ASGI function.
 */
/** What the CLI serves: the ASGI app and any server options the app object carries. */
export interface DetectedApp {
  app: App;
  options: FasterOptions;
  /** 'faster' | 'fetch' | 'asgi', for the start-up line. */
  kind: string;
}

export async function adapt(value: unknown, what: string): Promise<DetectedApp> {
  const v = value as { asgi?: unknown; fetch?: unknown; serverOptions?: unknown };
  if (v !== null && typeof v === 'object') {
    if (typeof v.asgi === 'function') {
      const options = (v.serverOptions !== null && typeof v.serverOptions === 'object' ? v.serverOptions : {}) as FasterOptions;
      return { app: v.asgi as App, options, kind: 'faster' };
    }
    if (typeof v.fetch === 'function') return { app: await fetchApp(v as { fetch: (...a: unknown[]) => unknown }, what), options: {}, kind: 'fetch' };
  }
  if (typeof value === 'function') {
    if (typeof (value as { fetch?: unknown }).fetch === 'function') {
      return { app: await fetchApp(value as unknown as { fetch: (...a: unknown[]) => unknown }, what), options: {}, kind: 'fetch' };
    }
    return { app: value as App, options: {}, kind: 'asgi' };
  }
  throw new UsageError(`${what} is not an app: expected a Faster app, an object with a fetch() method, or a function (scope, receive, send)`);
}

/** The fetch adapter is loaded only when needed (and may not be built yet). */
async function fetchApp(target: { fetch: (...a: unknown[]) => unknown }, what: string): Promise<App> {
  const spec = '../fetch/index.js';
  let adapter: { createFetchHandler?: (fetch: (...a: unknown[]) => unknown) => App };
  try {
    adapter = (await import(spec)) as typeof adapter;
  } catch (err) {
    throw new UsageError(`${what} is a fetch-style app, but the fetch adapter could not be loaded: ${firstLine(err)}`);
  }
  if (typeof adapter.createFetchHandler !== 'function') {
    throw new UsageError(`${what} is a fetch-style app, but the fetch adapter has no createFetchHandler()`);
  }
  // Bound through a wrapper: Hono's fetch is a bound field, other apps' may be a method.
  const fetch = (...a: unknown[]): unknown => target.fetch(...a);
  return adapter.createFetchHandler(fetch);
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = message.split('\n')[0].trim();
  return line.length > 0 ? line : err instanceof Error ? err.name : 'unknown error';
}
