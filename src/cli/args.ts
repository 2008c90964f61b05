// Command-line flags and their environment variables, parsed into one config.
// Flags follow uvicorn's names and meanings; a flag given on the command line wins over
// its environment variable, which wins over the app's own options and the defaults.
// Times are seconds here, as in uvicorn; the programmatic options are milliseconds
// (node:http's names), and main.ts converts (docs/cli.md).
import type { LogLevel } from '../server/logger.js';
import { compileMatcher } from '../trust/matcher.js';
import { normalizeRootPath, parseForwardedHeaders, parseTrustedProxies, type ForwardedHeaderName, type ProxyPreset, type TrustedProxies } from '../trust/options.js';
import { PRESETS, presetOf } from '../trust/presets.js';

export type { LogLevel };

/** A mistake in the command line or the environment: one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type AppInterface = 'auto' | 'faster' | 'fetch' | 'asgi' | 'node';
export type Lifespan = 'auto' | 'on' | 'off';
export type LogFormat = 'text' | 'json';

export interface CliConfig {
  /** 'path/to/module.js' or 'path/to/module.js:exportName'; null when not given. */
  app: string | null;
  host: string;
  port: number;
  /** A unix socket path to listen on instead of host and port. */
  uds: string | null;
  /** Permissions of the unix socket file. */
  udsMode: number;
  /** A listening file descriptor inherited from the parent (systemd, a supervisor). */
  fd: number | null;
  reload: boolean;
  reloadDirs: string[];
  reloadIncludes: string[];
  reloadExcludes: string[];
  workers: number;
  envFile: string | null;
  logConfig: string | null;
  logLevel: LogLevel;
  logFormat: LogFormat;
  accessLog: boolean;
  interface: AppInterface;
  lifespan: Lifespan;
  /** Trust-stage options; undefined when neither flag nor env var set them. */
  rootPath: string | undefined;
  trustedProxies: TrustedProxies | undefined;
  proxyHeaders: boolean | undefined;
  proxy: ProxyPreset | undefined;
  forwardedHeaders: ForwardedHeaderName[] | undefined;
  proxyProtocol: boolean | undefined;
  serverHeader: boolean;
  dateHeader: boolean;
  /** Extra response header lines, `--header name:value` (repeatable). */
  headers: [string, string][];
  limitConcurrency: number | null;
  limitMaxRequests: number | null;
  backlog: number;
  /** Seconds. */
  timeoutKeepAlive: number | null;
  /** Seconds to wait for in-flight requests on shutdown; null: the app's timeoutGracefulShutdown, else 30. */
  gracefulTimeout: number | null;
  sslKeyfile: string | null;
  sslCertfile: string | null;
  sslKeyfilePassword: string | null;
  sslCaCerts: string | null;
  wsMaxSize: number | null;
  /** Seconds. */
  wsPingInterval: number | null;
  /** Seconds. */
  wsPingTimeout: number | null;
  wsPerMessageDeflate: boolean | undefined;
  /** undefined: decided by the CPUs each process has (cli/gc.ts). */
  singleThreadedGc: boolean | undefined;
  appDir: string;
  factory: boolean;
  help: boolean;
  version: boolean;
}

/** One option: its flag, value name (null for a switch), env vars, default, help line, uvicorn's equivalent. */
export interface FlagSpec {
  readonly key: Exclude<keyof CliConfig, 'app'>;
  readonly flag: string;
  /** For switches: the flag that sets false ('--no-proxy-headers'). */
  readonly negation?: string;
  readonly value: string | null;
  readonly env: readonly string[];
  readonly defaultText: string;
  readonly help: string;
  /** uvicorn's option with the same meaning, or what differs; 'same' when name and meaning match. */
  readonly uvicorn: string;
  /** May be given more than once (each adds an entry). */
  readonly repeat?: boolean;
}

const S = 'same';

export const FLAGS: readonly FlagSpec[] = [
  { key: 'host', flag: '--host', value: 'HOST', env: ['FASTERAPI_HOST'], defaultText: '127.0.0.1', help: 'Address to listen on (0.0.0.0 or :: for every interface).', uvicorn: S },
  { key: 'port', flag: '--port', value: 'PORT', env: ['FASTERAPI_PORT'], defaultText: '8000', help: 'Port to listen on (0 picks a free one).', uvicorn: S },
  {
    key: 'uds',
    flag: '--uds',
    value: 'PATH',
    env: ['FASTERAPI_UDS'],
    defaultText: 'none',
    help: 'Listen on this unix socket instead (a stale socket file there is removed; a live one is an error).',
    uvicorn: S,
  },
  {
    key: 'udsMode',
    flag: '--uds-mode',
    value: 'OCTAL',
    env: ['FASTERAPI_UDS_MODE'],
    defaultText: '666',
    help: 'Permissions of the --uds socket file.',
    uvicorn: 'none (uvicorn always sets 666)',
  },
  {
    key: 'fd',
    flag: '--fd',
    value: 'N',
    env: ['FASTERAPI_FD'],
    defaultText: 'none',
    help: 'Serve on this inherited, already listening file descriptor (systemd socket activation).',
    uvicorn: S,
  },
  {
    key: 'reload',
    flag: '--reload',
    value: null,
    env: ['FASTERAPI_RELOAD'],
    defaultText: 'off',
    help: 'Restart the worker when a file changes (development only; refuses --workers > 1).',
    uvicorn: S,
  },
  {
    key: 'reloadDirs',
    flag: '--reload-dir',
    value: 'DIR',
    env: ['FASTERAPI_RELOAD_DIRS'],
    defaultText: "the app's directory",
    help: 'Directory to watch (repeatable; env: comma list).',
    uvicorn: S,
    repeat: true,
  },
  {
    key: 'reloadIncludes',
    flag: '--reload-include',
    value: 'GLOB',
    env: ['FASTERAPI_RELOAD_INCLUDES'],
    defaultText: '*.js,*.mjs,*.cjs,*.ts,*.mts,*.cts,*.json',
    help: 'File names that trigger a reload (repeatable).',
    uvicorn: S,
    repeat: true,
  },
  {
    key: 'reloadExcludes',
    flag: '--reload-exclude',
    value: 'GLOB',
    env: ['FASTERAPI_RELOAD_EXCLUDES'],
    defaultText: 'node_modules, dot files',
    help: 'File names that never trigger a reload (repeatable).',
    uvicorn: S,
    repeat: true,
  },
  {
    key: 'workers',
    flag: '--workers',
    value: 'N',
    env: ['FASTERAPI_WORKERS', 'WEB_CONCURRENCY'],
    defaultText: '1',
    help: 'Worker processes (node:cluster), sharing the socket.',
    uvicorn: S,
  },
  {
    key: 'envFile',
    flag: '--env-file',
    value: 'FILE',
    env: ['FASTERAPI_ENV_FILE'],
    defaultText: 'none',
    help: "KEY=value lines added to the app's environment before it is imported (set variables win).",
    uvicorn: S,
  },
  {
    key: 'logConfig',
    flag: '--log-config',
    value: 'FILE',
    env: ['FASTERAPI_LOG_CONFIG'],
    defaultText: 'none',
    help: 'A JSON file {"level", "format", "access_log"}; flags given win.',
    uvicorn: 'same name; uvicorn takes a Python logging dictConfig (JSON, YAML, ini)',
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    value: 'LEVEL',
    env: ['FASTERAPI_LOG_LEVEL'],
    defaultText: 'info',
    help: 'critical, error, warning, info, debug or trace.',
    uvicorn: 'same (critical = error, trace = debug)',
  },
  {
    key: 'logFormat',
    flag: '--log-format',
    value: 'FORMAT',
    env: ['FASTERAPI_LOG_FORMAT'],
    defaultText: 'text',
    help: 'text, or json: one JSON object per line for log shippers.',
    uvicorn: 'none (uvicorn sets formatters in --log-config)',
  },
  {
    key: 'accessLog',
    flag: '--access-log',
    negation: '--no-access-log',
    value: null,
    env: ['FASTERAPI_ACCESS_LOG'],
    defaultText: 'on',
    help: 'One line per response at info: client, request line, status, duration.',
    uvicorn: S,
  },
  {
    key: 'interface',
    flag: '--interface',
    value: 'KIND',
    env: ['FASTERAPI_INTERFACE'],
    defaultText: 'auto',
    help: 'What the export is: auto, faster, fetch, asgi or node.',
    uvicorn: 'same name (uvicorn: auto, asgi3, asgi2, wsgi)',
  },
  {
    key: 'lifespan',
    flag: '--lifespan',
    value: 'MODE',
    env: ['FASTERAPI_LIFESPAN'],
    defaultText: 'auto',
    help: "auto, on or off: run the app's startup and shutdown.",
    uvicorn: S,
  },
  {
    key: 'rootPath',
    flag: '--root-path',
    value: 'PATH',
    env: ['FASTERAPI_ROOT_PATH'],
    defaultText: 'none',
    help: 'Mount point of the app behind a proxy (e.g. /api/v1): scope.rootPath, used in generated URLs.',
    uvicorn: S,
  },
  {
    key: 'trustedProxies',
    flag: '--forwarded-allow-ips',
    value: 'LIST',
    env: ['FORWARDED_ALLOW_IPS', 'FASTERAPI_FORWARDED_ALLOW_IPS'],
    defaultText: 'loopback',
    help: "Proxies whose forwarding headers are trusted: comma list of IPs, CIDRs, 'loopback', 'linklocal', 'uniquelocal', 'unix' (a unix-socket peer), '*', or a hop count. Empty: trust nobody.",
    uvicorn: "same (uvicorn's default is 127.0.0.1; 'unix' is ours)",
  },
  {
    key: 'proxyHeaders',
    flag: '--proxy-headers',
    negation: '--no-proxy-headers',
    value: null,
    env: ['FASTERAPI_PROXY_HEADERS'],
    defaultText: 'on',
    help: 'Read forwarding headers from trusted proxies (--no-proxy-headers: never).',
    uvicorn: S,
  },
  {
    key: 'proxy',
    flag: '--proxy',
    value: 'NAME',
    env: ['FASTERAPI_PROXY'],
    defaultText: 'none',
    help: `The proxy in front (${Object.keys(PRESETS).join(', ')}): read exactly the headers it overwrites.`,
    uvicorn: 'none',
  },
  {
    key: 'forwardedHeaders',
    flag: '--forwarded-headers',
    value: 'LIST',
    env: ['FASTERAPI_FORWARDED_HEADERS'],
    defaultText: "the preset's, else x-forwarded-for,x-forwarded-proto",
    help: 'Forwarding headers to read (comma list): only those your proxy overwrites. x-forwarded-for/-proto/-host/-port/-prefix, forwarded, x-real-ip.',
    uvicorn: 'none (uvicorn reads X-Forwarded-For and -Proto)',
  },
  {
    key: 'proxyProtocol',
    flag: '--proxy-protocol',
    negation: '--no-proxy-protocol',
    value: null,
    env: ['FASTERAPI_PROXY_PROTOCOL'],
    defaultText: 'off',
    help: 'Connections start with a PROXY protocol v1/v2 header (HAProxy send-proxy, AWS NLB).',
    uvicorn: 'none',
  },
  {
    key: 'serverHeader',
    flag: '--server-header',
    negation: '--no-server-header',
    value: null,
    env: ['FASTERAPI_SERVER_HEADER'],
    defaultText: 'off',
    help: "Send 'server: fasterapi'.",
    uvicorn: 'same (uvicorn defaults to on)',
  },
  {
    key: 'dateHeader',
    flag: '--date-header',
    negation: '--no-date-header',
    value: null,
    env: ['FASTERAPI_DATE_HEADER'],
    defaultText: 'on',
    help: 'Send the Date header.',
    uvicorn: S,
  },
  { key: 'headers', flag: '--header', value: 'NAME:VALUE', env: [], defaultText: 'none', help: 'A header sent on every response (repeatable).', uvicorn: S, repeat: true },
  {
    key: 'limitConcurrency',
    flag: '--limit-concurrency',
    value: 'N',
    env: ['FASTERAPI_LIMIT_CONCURRENCY'],
    defaultText: 'none',
    help: 'Connections served at once; past it, new ones are answered 503.',
    uvicorn: 'same (uvicorn counts connections and tasks)',
  },
  {
    key: 'limitMaxRequests',
    flag: '--limit-max-requests',
    value: 'N',
    env: ['FASTERAPI_LIMIT_MAX_REQUESTS'],
    defaultText: 'none',
    help: 'A worker serving this many requests is replaced (a new one first, then the old one drains).',
    uvicorn: S,
  },
  {
    key: 'backlog',
    flag: '--backlog',
    value: 'N',
    env: ['FASTERAPI_BACKLOG'],
    defaultText: '2048',
    help: 'Connections the kernel queues before accept (capped by net.core.somaxconn).',
    uvicorn: S,
  },
  {
    key: 'timeoutKeepAlive',
    flag: '--timeout-keep-alive',
    value: 'SECONDS',
    env: ['FASTERAPI_TIMEOUT_KEEP_ALIVE'],
    defaultText: '65',
    help: 'Close a keep-alive connection idle this long.',
    uvicorn: 'same (uvicorn defaults to 5; 65 outlasts the 60 s of AWS ALB)',
  },
  {
    key: 'gracefulTimeout',
    flag: '--timeout-graceful-shutdown',
    value: 'SECONDS',
    env: ['FASTERAPI_TIMEOUT_GRACEFUL_SHUTDOWN'],
    defaultText: '30',
    help: 'On SIGTERM/SIGINT, wait at most this long for in-flight requests, then close them and exit (0: wait for ever).',
    uvicorn: 'same (uvicorn waits for ever by default)',
  },
  {
    key: 'sslKeyfile',
    flag: '--ssl-keyfile',
    value: 'FILE',
    env: ['FASTERAPI_SSL_KEYFILE'],
    defaultText: 'none',
    help: 'PEM private key: serve HTTPS (node:tls) with --ssl-certfile.',
    uvicorn: S,
  },
  { key: 'sslCertfile', flag: '--ssl-certfile', value: 'FILE', env: ['FASTERAPI_SSL_CERTFILE'], defaultText: 'none', help: 'PEM certificate chain.', uvicorn: S },
  {
    key: 'sslKeyfilePassword',
    flag: '--ssl-keyfile-password',
    value: 'TEXT',
    env: ['FASTERAPI_SSL_KEYFILE_PASSWORD'],
    defaultText: 'none',
    help: 'Passphrase of an encrypted --ssl-keyfile.',
    uvicorn: S,
  },
  {
    key: 'sslCaCerts',
    flag: '--ssl-ca-certs',
    value: 'FILE',
    env: ['FASTERAPI_SSL_CA_CERTS'],
    defaultText: 'none',
    help: 'PEM CA certificates to verify client certificates against (requested, not required).',
    uvicorn: 'same (with uvicorn --ssl-cert-reqs 1)',
  },
  { key: 'wsMaxSize', flag: '--ws-max-size', value: 'BYTES', env: ['FASTERAPI_WS_MAX_SIZE'], defaultText: '16777216', help: 'Largest WebSocket message.', uvicorn: S },
  { key: 'wsPingInterval', flag: '--ws-ping-interval', value: 'SECONDS', env: ['FASTERAPI_WS_PING_INTERVAL'], defaultText: '20', help: 'WebSocket ping interval.', uvicorn: S },
  {
    key: 'wsPingTimeout',
    flag: '--ws-ping-timeout',
    value: 'SECONDS',
    env: ['FASTERAPI_WS_PING_TIMEOUT'],
    defaultText: '20',
    help: 'Close a WebSocket whose pong is this late.',
    uvicorn: S,
  },
  {
    key: 'wsPerMessageDeflate',
    flag: '--ws-per-message-deflate',
    negation: '--no-ws-per-message-deflate',
    value: null,
    env: ['FASTERAPI_WS_PER_MESSAGE_DEFLATE'],
    defaultText: 'on',
    help: 'Offer permessage-deflate compression.',
    uvicorn: 'same (uvicorn: --ws-per-message-deflate BOOL)',
  },
  {
    key: 'singleThreadedGc',
    flag: '--single-threaded-gc',
    negation: '--no-single-threaded-gc',
    value: null,
    env: ['FASTERAPI_SINGLE_THREADED_GC'],
    defaultText: 'auto',
    help: "V8's garbage collector without helper threads; auto: on when each process has no CPU to spare for them (workers >= CPUs available).",
    uvicorn: 'none (a V8 setting)',
  },
  {
    key: 'appDir',
    flag: '--app-dir',
    value: 'DIR',
    env: ['FASTERAPI_APP_DIR'],
    defaultText: '.',
    help: 'Directory MODULE is found in.',
    uvicorn: 'same (uvicorn adds it to sys.path)',
  },
  {
    key: 'factory',
    flag: '--factory',
    value: null,
    env: ['FASTERAPI_FACTORY'],
    defaultText: 'off',
    help: 'EXPORT is a function returning the app (awaited): call it.',
    uvicorn: S,
  },
  { key: 'help', flag: '--help', value: null, env: [], defaultText: '', help: 'Show this help and exit.', uvicorn: S },
  { key: 'version', flag: '--version', value: null, env: [], defaultText: '', help: 'Print the version and exit.', uvicorn: S },
];

/** uvicorn options with no equivalent here, and why; --help and docs/cli.md list them. */
export const NOT_SUPPORTED: readonly [string, string][] = [
  ['--loop, --http, --ws', 'one event loop (libuv), one HTTP parser (llhttp), one WebSocket implementation'],
  ['--h11-max-incomplete-event-size', 'the createServer() option maxHeaderSize'],
  ['--ssl-version, --ssl-cert-reqs, --ssl-ciphers', "node:tls's defaults (TLS 1.2+); use createServer({ tls }) for more"],
  ['--use-colors, --no-use-colors', 'plain lines; --log-format json for shippers'],
  ['--reload-delay', 'changes are batched over 100 ms'],
  ['--ws-max-queue', 'no per-connection queue in the WebSocket layer'],
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

export function defaultConfig(): CliConfig {
  return {
    app: null,
    host: '127.0.0.1',
    port: 8000,
    uds: null,
    udsMode: 0o666,
    fd: null,
    reload: false,
    reloadDirs: [],
    reloadIncludes: [],
    reloadExcludes: [],
    workers: 1,
    envFile: null,
    logConfig: null,
    logLevel: 'info',
    logFormat: 'text',
    accessLog: true,
    interface: 'auto',
    lifespan: 'auto',
    rootPath: undefined,
    trustedProxies: undefined,
    proxyHeaders: undefined,
    proxy: undefined,
    forwardedHeaders: undefined,
    proxyProtocol: undefined,
    serverHeader: false,
    dateHeader: true,
    headers: [],
    limitConcurrency: null,
    limitMaxRequests: null,
    backlog: 2048,
    timeoutKeepAlive: null,
    gracefulTimeout: null,
    sslKeyfile: null,
    sslCertfile: null,
    sslKeyfilePassword: null,
    sslCaCerts: null,
    wsMaxSize: null,
    wsPingInterval: null,
    wsPingTimeout: null,
    wsPerMessageDeflate: undefined,
    singleThreadedGc: undefined,
    appDir: '.',
    factory: false,
    help: false,
    version: false,
  };
}

/** The fields given on the command line (or by env): a log config file does not override them. */
export type Given = Set<keyof CliConfig>;

/** Parses argv (without node and the script) and the environment. Throws UsageError. */
export function parseArgs(args: readonly string[], env: Env = {}, given: Given = new Set()): CliConfig {
  const config = defaultConfig();
  // Environment first, flags after: a flag overrides its variable.
  for (const spec of FLAGS) {
    for (const name of spec.env) {
      const v = env[name];
      // An empty FORWARDED_ALLOW_IPS means what an empty --forwarded-allow-ips means (trust
      // nobody); other empty variables count as unset.
      if (v === undefined || (v === '' && spec.key !== 'trustedProxies')) continue;
      if (spec.repeat) for (const item of v.split(',')) if (item.trim() !== '') apply(config, spec, item.trim(), `${name}=${v}`);
      if (!spec.repeat) apply(config, spec, spec.value === null ? parseBool(v, name) : v, `${name}=${v}`);
      given.add(spec.key);
      break;
    }
  }
  const appEnv = env[APP_ENV];
  if (appEnv !== undefined && appEnv !== '') config.app = appEnv;
  // A repeatable flag on the command line replaces its variable's list.
  const fromArgs = new Set<string>();
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
    given.add(spec.key);
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
    if (spec.repeat && !fromArgs.has(spec.key)) {
      fromArgs.add(spec.key);
      (config[spec.key] as unknown[]).length = 0;
    }
    apply(config, spec, value, `${name} ${value}`);
  }
  if (positional !== null) config.app = positional;
  check(config);
  return config;
}

/** Combinations uvicorn refuses too. */
function check(config: CliConfig): void {
  if (config.reload && config.workers > 1) throw new UsageError('--reload cannot be used with --workers > 1 (reload is for development; use one or the other)');
  if ((config.sslKeyfile === null) !== (config.sslCertfile === null)) throw new UsageError('--ssl-keyfile and --ssl-certfile go together');
  if (config.uds !== null && config.fd !== null) throw new UsageError('--uds and --fd cannot be used together');
}

function takePositional(current: string | null, arg: string): string {
  if (current !== null) throw new UsageError(`unexpected argument '${arg}': give one app module`);
  return arg;
}

/** The fields a switch sets: every boolean one. */
type SwitchKey = { [K in keyof CliConfig]-?: CliConfig[K] extends boolean | undefined ? K : never }[keyof CliConfig];

const CHOICES = {
  logFormat: ['text', 'json'],
  interface: ['auto', 'faster', 'fetch', 'asgi', 'node'],
  lifespan: ['auto', 'on', 'off'],
} as const;

function apply(config: CliConfig, spec: FlagSpec, value: string | boolean, where: string): void {
  const bad = (why: string): UsageError => new UsageError(`invalid ${where}: ${why}`);
  if (typeof value === 'boolean') {
    // A switch (its flag, its --no- flag or a boolean env var) sets its field as it is.
    config[spec.key as SwitchKey] = value;
    return;
  }
  const key = spec.key;
  switch (key) {
    case 'host':
      if (value === '') throw bad('empty host');
      config.host = value;
      return;
    case 'port':
      config.port = integer(value, 0, 65535, bad);
      return;
    case 'uds':
    case 'envFile':
    case 'logConfig':
    case 'sslKeyfile':
    case 'sslCertfile':
    case 'sslKeyfilePassword':
    case 'sslCaCerts':
    case 'appDir':
      if (value === '') throw bad('empty value');
      config[key] = value;
      return;
    case 'reloadDirs':
    case 'reloadIncludes':
    case 'reloadExcludes':
      if (value === '') throw bad('empty value');
      config[key].push(value);
      return;
    case 'udsMode':
      if (!/^0?o?[0-7]{3}$/.test(value)) throw bad('expected an octal mode such as 660');
      config.udsMode = Number.parseInt(value.replace(/^0?o?/, ''), 8);
      return;
    case 'fd':
      config.fd = integer(value, 0, 65535, bad);
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
        compileMatcher(config.trustedProxies, null); // every entry checked now, naming the flag
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
    case 'logFormat':
    case 'interface':
    case 'lifespan': {
      const choices: readonly string[] = CHOICES[key];
      if (!choices.includes(value)) throw bad(`expected ${choices.join(', ')}`);
      (config as unknown as Record<string, string>)[key] = value;
      return;
    }
    case 'headers': {
      const colon = value.indexOf(':');
      if (colon <= 0) throw bad('expected NAME:VALUE');
      config.headers.push([value.slice(0, colon).trim(), value.slice(colon + 1).trim()]);
      return;
    }
    case 'limitConcurrency':
    case 'limitMaxRequests':
    case 'wsMaxSize':
      config[key] = integer(value, 1, Number.MAX_SAFE_INTEGER, bad);
      return;
    case 'backlog':
      config.backlog = integer(value, 1, 1 << 20, bad);
      return;
    case 'timeoutKeepAlive':
    case 'gracefulTimeout':
    case 'wsPingInterval':
    case 'wsPingTimeout':
      config[key] = seconds(value, bad);
      return;
  }
}

function seconds(value: string, bad: (why: string) => UsageError): number {
  const n = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !Number.isFinite(n)) throw bad('expected a number of seconds');
  return n;
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

export function logLevel(value: string, bad: (why: string) => UsageError): LogLevel {
  const level = LOG_LEVELS[value.toLowerCase()];
  if (level === undefined || !Object.hasOwn(LOG_LEVELS, value.toLowerCase())) throw bad('expected critical, error, warning, info, debug or trace');
  return level;
}

export function parseBool(value: string, name: string): boolean {
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
