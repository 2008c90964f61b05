// Command-line flags and their environment variables, parsed into one config.
// Flags follow uvicorn's names; a flag given on the command line wins over its
// environment variable, which wins over the app's own options and the defaults.
import { normalizeRootPath, parseForwardedHeaders, parseTrustedProxies, type ForwardedHeaderName, type ProxyPreset, type TrustedProxies } from '../trust/options.js';
import type { LogLevel } from '../server/logger.js';
import { PRESETS, presetOf } from '../trust/presets.js';

export type { LogLevel };

/** A mistake in the command line or the environment: one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliConfig {
  /** 'path/to/module.js' or 'path/to/module.js:exportName'; null when not given. */
  app: string | null;
  host: string;
  port: number;
  /** Trust-stage options; undefined when neither flag nor env var set them. */
  rootPath: string | undefined;
  trustedProxies: TrustedProxies | undefined;
  proxyHeaders: boolean | undefined;
  proxy: ProxyPreset | undefined;
  forwardedHeaders: ForwardedHeaderName[] | undefined;
  proxyProtocol: boolean | undefined;
  workers: number;
  logLevel: LogLevel;
  /** Seconds to wait for in-flight requests on shutdown; null waits for ever. */
  gracefulTimeout: number | null;
  help: boolean;
  version: boolean;
}

/** One option: its flag, value name (null for a switch), env vars, default, help line. */
export interface FlagSpec {
  readonly key: Exclude<keyof CliConfig, 'app'>;
  readonly flag: string;
  /** For switches: the flag that sets false ('--no-proxy-headers'). */
  readonly negation?: string;
  readonly value: string | null;
  readonly env: readonly string[];
  readonly defaultText: string;
  readonly help: string;
}

export const FLAGS: readonly FlagSpec[] = [
  { key: 'host', flag: '--host', value: 'HOST', env: ['FASTERAPI_HOST'], defaultText: '127.0.0.1', help: 'Address to listen on (0.0.0.0 or :: for every interface).' },
  { key: 'port', flag: '--port', value: 'PORT', env: ['FASTERAPI_PORT'], defaultText: '8000', help: 'Port to listen on (0 picks a free one).' },
  {
    key: 'rootPath',
    flag: '--root-path',
    value: 'PATH',
    env: ['FASTERAPI_ROOT_PATH'],
    defaultText: 'none',
    help: 'Mount point of the app behind a proxy (e.g. /api/v1): scope.rootPath, used in generated URLs.',
  },
  {
    key: 'trustedProxies',
    flag: '--forwarded-allow-ips',
    value: 'LIST',
    env: ['FORWARDED_ALLOW_IPS', 'FASTERAPI_FORWARDED_ALLOW_IPS'],
    defaultText: 'loopback',
    help: "Proxies whose forwarding headers are trusted: comma list of IPs, CIDRs, 'loopback', 'linklocal', 'uniquelocal', '*', or a hop count.",
  },
  {
    key: 'proxyHeaders',
    flag: '--proxy-headers',
    negation: '--no-proxy-headers',
    value: null,
    env: ['FASTERAPI_PROXY_HEADERS'],
    defaultText: 'on',
    help: 'Read X-Forwarded-* / Forwarded from trusted proxies (--no-proxy-headers: never).',
  },
  {
    key: 'proxy',
    flag: '--proxy',
    value: 'NAME',
    env: ['FASTERAPI_PROXY'],
    defaultText: 'none',
    help: `The proxy in front (${Object.keys(PRESETS).join(', ')}): read exactly the headers it overwrites.`,
  },
  {
    key: 'forwardedHeaders',
    flag: '--forwarded-headers',
    value: 'LIST',
    env: ['FASTERAPI_FORWARDED_HEADERS'],
    defaultText: "the preset's, else x-forwarded-for,x-forwarded-proto",
    help: 'Forwarding headers to read (comma list): only those your proxy overwrites. x-forwarded-for/-proto/-host/-port/-prefix, forwarded, x-real-ip.',
  },
  {
    key: 'proxyProtocol',
    flag: '--proxy-protocol',
    negation: '--no-proxy-protocol',
    value: null,
    env: ['FASTERAPI_PROXY_PROTOCOL'],
    defaultText: 'off',
    help: 'Connections start with a PROXY protocol v1/v2 header (HAProxy send-proxy, AWS NLB).',
  },
  { key: 'workers', flag: '--workers', value: 'N', env: ['FASTERAPI_WORKERS', 'WEB_CONCURRENCY'], defaultText: '1', help: 'Worker processes (node:cluster), sharing the port.' },
  {
    key: 'logLevel',
    flag: '--log-level',
    value: 'LEVEL',
    env: ['FASTERAPI_LOG_LEVEL'],
    defaultText: 'info',
    help: 'error, warning, info or debug (debug adds an access log line per request).',
  },
  {
    key: 'gracefulTimeout',
    flag: '--timeout-graceful-shutdown',
    value: 'SECONDS',
    env: ['FASTERAPI_TIMEOUT_GRACEFUL_SHUTDOWN'],
    defaultText: 'none',
    help: 'On SIGTERM/SIGINT, wait at most this long for in-flight requests.',
  },
  { key: 'help', flag: '--help', value: null, env: [], defaultText: '', help: 'Show this help and exit.' },
  { key: 'version', flag: '--version', value: null, env: [], defaultText: '', help: 'Print the version and exit.' },
];

/** Flags of the old trust model, and what replaced each. */
const REMOVED_FLAGS: Readonly<Record<string, string>> = {
  '--forwarded-host': 'add x-forwarded-host (and x-forwarded-port) to --forwarded-headers, or use a --proxy preset that overwrites them',
  '--no-forwarded-host': 'X-Forwarded-Host is read only when --forwarded-headers lists it',
  '--real-ip-header': 'put x-real-ip in --forwarded-headers instead of x-forwarded-for',
  '--no-real-ip-header': 'X-Real-IP is read only when --forwarded-headers lists it',
};

/** The environment variable naming the app when no positional argument does. */
export const APP_ENV = 'FASTERAPI_APP';

type Env = Readonly<Record<string, string | undefined>>;

/** Parses argv (without node and the script) and the environment. Throws UsageError. */
export function parseArgs(args: readonly string[], env: Env = {}): CliConfig {
  const config: CliConfig = {
    app: null,
    host: '127.0.0.1',
    port: 8000,
    rootPath: undefined,
    trustedProxies: undefined,
    proxyHeaders: undefined,
    proxy: undefined,
    forwardedHeaders: undefined,
    proxyProtocol: undefined,
    workers: 1,
    logLevel: 'info',
    gracefulTimeout: null,
    help: false,
    version: false,
  };
  // Environment first, flags after: a flag overrides its variable.
  for (const spec of FLAGS) {
    for (const name of spec.env) {
      const v = env[name];
      if (v !== undefined && v !== '') {
        apply(config, spec, spec.value === null ? parseBool(v, name) : v, `${name}=${v}`);
        break;
      }
    }
  }
  const appEnv = env[APP_ENV];
  if (appEnv !== undefined && appEnv !== '') config.app = appEnv;
  let positional: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h') {
      config.help = true;
      continue;
    }
    if (arg === '--') {
      if (i + 1 < args.length) positional = takePositional(positional, args[i + 1]);
      if (i + 2 < args.length) throw new UsageError(`unexpected argument '${args[i + 2]}'`);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional = takePositional(positional, arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS.find((f) => f.flag === name || f.negation === name);
    if (spec === undefined) {
      const replaced = REMOVED_FLAGS[name];
      throw new UsageError(replaced === undefined ? `unknown option '${name}' (see --help)` : `option '${name}' was removed: ${replaced}`);
    }
    if (spec.value === null) {
      if (eq >= 0) throw new UsageError(`option '${name}' takes no value`);
      apply(config, spec, name !== spec.negation, name);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= args.length) throw new UsageError(`option '${name}' needs a value (${spec.value})`);
      value = args[++i];
    }
    apply(config, spec, value, `${name} ${value}`);
  }
  if (positional !== null) config.app = positional;
  return config;
}

function takePositional(current: string | null, arg: string): string {
  if (current !== null) throw new UsageError(`unexpected argument '${arg}': give one app module`);
  return arg;
}

/** The fields a switch sets: every boolean one. */
type SwitchKey = { [K in keyof CliConfig]-?: CliConfig[K] extends boolean | undefined ? K : never }[keyof CliConfig];

function apply(config: CliConfig, spec: FlagSpec, value: string | boolean, where: string): void {
  const bad = (why: string): UsageError => new UsageError(`invalid ${where}: ${why}`);
  if (typeof value === 'boolean') {
    // A switch (its flag, its --no- flag or a boolean env var) sets its field as it is.
    config[spec.key as SwitchKey] = value;
    return;
  }
  switch (spec.key) {
    case 'host':
      if (value === '') throw bad('empty host');
      config.host = value;
      return;
    case 'port':
      config.port = integer(value, 0, 65535, bad);
      return;
    case 'rootPath':
      try {
        config.rootPath = normalizeRootPath(value);
      } catch (err) {
        throw bad((err as Error).message);
      }
      return;
    case 'trustedProxies':
      try {
        config.trustedProxies = parseTrustedProxies(value);
      } catch (err) {
        throw bad((err as Error).message);
      }
      return;
    case 'proxy':
      try {
        presetOf(value);
      } catch (err) {
        throw bad((err as Error).message);
      }
      config.proxy = value as ProxyPreset;
      return;
    case 'forwardedHeaders':
      try {
        config.forwardedHeaders = parseForwardedHeaders(value) ?? [];
      } catch (err) {
        throw bad((err as Error).message);
      }
      return;
    case 'workers':
      config.workers = integer(value, 1, 1024, bad);
      return;
    case 'logLevel':
      config.logLevel = logLevel(value, bad);
      return;
    case 'gracefulTimeout': {
      const n = Number(value);
      if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !Number.isFinite(n)) throw bad('expected a number of seconds');
      config.gracefulTimeout = n;
      return;
    }
  }
}

function integer(value: string, min: number, max: number, bad: (why: string) => UsageError): number {
  if (!/^[0-9]+$/.test(value)) throw bad(`expected an integer ${min}-${max}`);
  const n = Number(value);
  if (n < min || n > max) throw bad(`expected an integer ${min}-${max}`);
  return n;
}

const LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  critical: 'error',
  error: 'error',
  warning: 'warn',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'debug',
};

function logLevel(value: string, bad: (why: string) => UsageError): LogLevel {
  const level = LOG_LEVELS[value.toLowerCase()];
  if (level === undefined || !Object.hasOwn(LOG_LEVELS, value.toLowerCase())) throw bad('expected error, warning, info or debug');
  return level;
}

function parseBool(value: string, name: string): boolean {
  switch (value.toLowerCase()) {
    case '1':
    case 'true':
    case 'yes':
    case 'on':
      return true;
    case '0':
    case 'false':
    case 'no':
    case 'off':
      return false;
    default:
      throw new UsageError(`invalid ${name}=${value}: expected true or false`);
  }
}
