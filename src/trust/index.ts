// The trust stage: proxy configuration compiled once; client, scheme, host and root
// path resolution; PROXY protocol. Re-exports only.
export { Trust } from './resolve.js';
export { PRESETS, passedThroughWarning, presetOf, type Preset } from './presets.js';
export {
  DEFAULT_FORWARDED_HEADERS,
  DEFAULT_TRUSTED_PROXIES,
  FORWARDED_HEADER_NAMES,
  normalizeRootPath,
  parseForwardedHeaders,
  parseTrustedProxies,
  trustOptionsFromEnv,
  type ForwardedHeaderName,
  type ProxyPreset,
  type TrustFunction,
  type TrustOptions,
  type TrustedProxies,
} from './options.js';
export { compileMatcher, NAMED_RANGES, ProxyMatcher, TRUST_ALL_WARNING, TRUST_KIND, type TrustKind } from './matcher.js';
export { NODE, NodeResult, SYNTAX, formatIPv6, parseIPv4, parseIPv6, parseIp, parseNode, stripZone, type NodeCode, type Syntax } from './address.js';
export {
  PROXY_COMMAND,
  PROXY_FAMILY,
  PROXY_STATUS,
  PROXY_V1_MAX_LENGTH,
  PROXY_V2_HEADER_LENGTH,
  PROXY_V2_SIGNATURE,
  parseProxyHeader,
  type ProxyCommand,
  type ProxyFamily,
  type ProxyResult,
  type ProxyStatus,
} from './proxy-protocol.js';
