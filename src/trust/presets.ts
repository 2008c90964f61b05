// Proxy presets: for each proxy, the forwarding headers it overwrites (or, for the
// address lists, appends its own observation to) in the configuration
// docs/behind-a-proxy.md gives for it. A proxy vouches only for those: anything it
// passes through untouched is the client's own words, so a preset never lists it.
// Where the proxy is installable here, test/proxies/header-behaviour.test.ts measures
// the table below on the real proxy.
import type { ForwardedHeaderName, ProxyPreset } from './options.js';

export interface Preset {
  /** The headers the proxy writes itself, so the ones the trust stage reads. */
  readonly headers: readonly ForwardedHeaderName[];
  /** Where the list comes from. */
  readonly source: string;
}

export const PRESETS: Readonly<Record<ProxyPreset, Preset>> = {
  nginx: {
    // proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for (appends the peer);
    // X-Forwarded-Proto $scheme (overwrites). Forwarded, X-Forwarded-Host/-Port/-Prefix
    // pass through from the client. X-Real-IP $remote_addr is overwritten too, but one
    // client-address header is read, and X-Forwarded-For also covers proxy chains.
    headers: ['x-forwarded-for', 'x-forwarded-proto'],
    source: "the seed page's location block (proxy_set_header Host, X-Real-IP, X-Forwarded-For, X-Forwarded-Proto); measured on nginx 1.22",
  },
  haproxy: {
    // option forwardfor appends an X-Forwarded-For line; the documented config sets
    // X-Forwarded-Proto with http-request set-header. Everything else passes through.
    headers: ['x-forwarded-for', 'x-forwarded-proto'],
    source: "'option forwardfor' plus 'http-request set-header X-Forwarded-Proto' as docs/behind-a-proxy.md shows; measured on HAProxy 2.6",
  },
  caddy: {
    // reverse_proxy without trusted_proxies replaces X-Forwarded-For/-Proto/-Host with
    // its own view (Caddy ≥ 2.5). Forwarded, X-Forwarded-Port/-Prefix, X-Real-IP pass.
    headers: ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'],
    source: 'reverse_proxy defaults (Caddy docs, "Defaults" of reverse_proxy headers); measured on Caddy 2.6',
  },
  traefik: {
    // Without forwardedHeaders.trustedIPs, Traefik deletes the client's X-Forwarded-*
    // and X-Real-Ip and writes its own. X-Forwarded-Prefix is only written by a
    // stripPrefix middleware, and passes through on routes without one: not listed.
    headers: ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port'],
    source: 'Traefik docs, entryPoints forwardedHeaders (untrusted sources have X-Forwarded-* replaced); not installable here',
  },
  'aws-alb': {
    // ALB appends to X-Forwarded-For (xff_header_processing.mode 'append', the default)
    // and sets X-Forwarded-Proto and X-Forwarded-Port. It keeps the client's Host.
    headers: ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port'],
    source: 'AWS Elastic Load Balancing docs, "HTTP headers and Application Load Balancers"; not installable here',
  },
};

/** The start-up warning for headers read that `proxy` passes through from the client. */
export function passedThroughWarning(proxy: string, names: readonly string[]): string {
  return (
    `trust: forwardedHeaders reads ${names.join(', ')}, which the '${proxy}' preset's proxy passes through from the client ` +
    'unless your proxy config overwrites it: a client can then set it (see docs/behind-a-proxy.md)'
  );
}

/** The preset named by `value`; throws a TypeError naming the choices for anything else. */
export function presetOf(value: string): Preset {
  if (!Object.hasOwn(PRESETS, value)) {
    throw new TypeError(`proxy must be one of ${Object.keys(PRESETS).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return PRESETS[value as ProxyPreset];
}
