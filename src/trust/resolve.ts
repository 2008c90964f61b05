// The trust stage: who the client is, which scheme and host it used, and where the
// app is mounted, resolved once per request after the head is parsed and before any
// middleware runs.
//
// A proxy vouches only for the headers it overwrites (or appends its own entry to):
// only the headers named by `forwardedHeaders` / the `proxy` preset are read, every
// other forwarding header is the client's own words and ignored.
//
// Order (issue 3, issue 11):
//   0. PROXY protocol, applied by the connection before the first request
//      (parseProxyHeader + adoptProxyPeer): scope.peer is already the PROXY source.
//   1. Static rootPath, always.
//   2. Nothing more unless proxyHeaders is on and scope.peer[0] is trusted: headers
//      from an untrusted peer are ignored entirely, so a client talking to us
//      directly cannot change anything.
//   3. Client, from the one configured address header: X-Forwarded-For or the
//      `Forwarded` for= list, walked right to left, or X-Real-IP.
//   4. Scheme (proto), host, port, from the entry of the hop the client was found at.
//   5. Root path from X-Forwarded-Prefix (when read) unless a static rootPath is set.
//
// Allocation: with no forwarding headers, nothing (one pass over the interned header
// ids; the peer decision comes from a Map keyed by the peer string). A trusted proxy
// with an N-hop X-Forwarded-For: the client address string and its [address, port]
// tuple, nothing else (items are byte spans, addresses 128-bit words in typed arrays
// owned by this instance, schemes interned constants). A forwarded host and a prefix
// allocate their string when present; a function matcher allocates one string per
// hop it is asked about.
import { HOST_MODE, hostEnd } from '../http/host.js';
import { equalsText, trimEnd, trimStart } from '../http/ascii.js';
import { H } from '../parser/header-names.js';
import type { Scope } from '../scope/scope.js';
import type { Logger } from '../types.js';
import { NODE, NodeResult, SYNTAX, parseNode } from './address.js';
import { EL, ForwardedTable, SLOT } from './forwarded.js';
import { ListCursor, type HeaderLines } from './list.js';
import { compileMatcher, TRUST_KIND, type ProxyMatcher } from './matcher.js';
import {
  DEFAULT_FORWARDED_HEADERS,
  normalizeRootPath,
  parseForwardedHeaders,
  rejectRemovedOptions,
  rootPathProblem,
  type ForwardedHeaderName,
  type TrustOptions,
} from './options.js';
import { passedThroughWarning, presetOf } from './presets.js';
import { PROXY_STATUS, parseProxyHeader, type ProxyRead, type ProxyResult } from './proxy-protocol.js';
import { SCHEME, parseForwardedPort, parseScheme, type SchemeCode } from './values.js';

// Bits of the header ids resolve() looks at, gathered in one pass.
const B_FORWARDED = 1 << H.FORWARDED;
const B_XFF = 1 << H.X_FORWARDED_FOR;
const B_XF_PROTO = 1 << H.X_FORWARDED_PROTO;
const B_XF_HOST = 1 << H.X_FORWARDED_HOST;
const B_XF_PORT = 1 << H.X_FORWARDED_PORT;
const B_XF_PREFIX = 1 << H.X_FORWARDED_PREFIX;
const B_REAL_IP = 1 << H.X_REAL_IP;

const HEADER_BITS: Readonly<Record<ForwardedHeaderName, number>> = {
  forwarded: B_FORWARDED,
  'x-forwarded-for': B_XFF,
  'x-forwarded-proto': B_XF_PROTO,
  'x-forwarded-host': B_XF_HOST,
  'x-forwarded-port': B_XF_PORT,
  'x-forwarded-prefix': B_XF_PREFIX,
  'x-real-ip': B_REAL_IP,
};

/**
 * The compiled trust configuration and the per-request resolver. Construct once per
 * server; resolve() is synchronous and keeps its working state in this instance.
 */
export class Trust {
  readonly proxyHeaders: boolean;
  /** The forwarding headers read, lowercase (the option, else the preset's, else the default). */
  readonly forwardedHeaders: readonly ForwardedHeaderName[];
  /** The same set as bits of header ids (1 << H.*): one AND per request picks what counts. */
  private readonly read: number;
  /** Normalised static root path ('' when none). */
  readonly rootPath: string;
  readonly proxyProtocol: boolean;
  readonly matcher: ProxyMatcher;

  private readonly proxyRead: ProxyRead = { consumed: 0, peer: null, secure: false };
  private readonly node = new NodeResult();
  private readonly cursor = new ListCursor();
  private readonly forwarded = new ForwardedTable();
  private readonly hostWords = new Int32Array(4);
  // The client item chosen by the walk (offsets into the request buffer).
  private clientStart = 0;
  private clientEnd = 0;
  private clientPort = 0;
  /** X-Forwarded-For item count of the current request, -1 until needed. */
  private forCount = -1;
  /** X-Forwarded-For items walkList() went through for the current request (a lower bound of forCount). */
  private forSeen = 0;
  /** The last client address string made, reused while requests name the same client (the bytes compared first). */
  private lastClient = '';

  /**
   * Compiles `options` (throws a TypeError on a malformed entry, an unknown header or
   * preset, a removed option, or a bad root path). `logger` receives the start-up
   * warnings: trustedProxies '*', and a header read that the preset's proxy does not
   * overwrite.
   */
  constructor(options: TrustOptions = {}, logger: Pick<Logger, 'warn'> | null = console) {
    rejectRemovedOptions(options);
    this.proxyHeaders = options.proxyHeaders !== false;
    const preset = options.proxy === undefined ? null : presetOf(options.proxy);
    const listed = parseForwardedHeaders(options.forwardedHeaders);
    this.forwardedHeaders = listed ?? preset?.headers ?? DEFAULT_FORWARDED_HEADERS;
    let read = 0;
    for (const name of this.forwardedHeaders) read |= HEADER_BITS[name];
    this.read = read;
    this.rootPath = normalizeRootPath(options.rootPath);
    this.proxyProtocol = options.proxyProtocol === true;
    this.matcher = compileMatcher(options.trustedProxies, logger);
    if (logger !== null && preset !== null && listed !== null) {
      const passed = listed.filter((name) => !preset.headers.includes(name));
      if (passed.length > 0) logger.warn(passedThroughWarning(options.proxy as string, passed));
    }
    if (logger !== null && this.rootPath.length > 0 && (read & B_XF_PREFIX) !== 0) {
      logger.warn(`trust: rootPath ${this.rootPath} is set, so X-Forwarded-Prefix is never read`);
    }
  }

  /** Whether `address` (a peer address, zone ignored) is a trusted proxy at `hop` (0 = the socket peer). */
  isTrusted(address: string, hop = 0): boolean {
    return this.matcher.trusts(address, hop);
  }

  /**
   * The peer a connection should use after its PROXY header: the header's source
   * when it carries one (TCP4/TCP6 PROXY command) and the TCP peer is trusted,
   * otherwise the TCP peer itself (LOCAL, UNKNOWN, or an untrusted sender).
   */
  adoptProxyPeer(tcpPeer: [string, number], header: ProxyResult): [string, number] {
    if (header.sourceAddress === null || !this.matcher.trusts(tcpPeer[0], 0)) return tcpPeer;
    return [header.sourceAddress, header.sourcePort];
  }

  /**
   * The connection's PROXY-protocol hook (server/core.ts TrustStage.readProxy): parses
   * the header at the start of `buf` sent by `tcpPeer` and says what it read, in an
   * object reused for every call: `consumed` is the header length (> 0), 0 when more
   * bytes are needed, -1 when the connection must be closed without an answer; `peer`
   * the peer the connection should use from now on (adoptProxyPeer()); `secure` whether
   * a trusted balancer terminated TLS. The connection applies it; nothing is written here.
   */
  readProxy(buf: Buffer, tcpPeer: [string, number] | null): ProxyRead {
    const out = this.proxyRead;
    const header = parseProxyHeader(buf, 0, buf.length);
    out.peer = tcpPeer;
    out.secure = false;
    if (header.status === PROXY_STATUS.NEED_MORE) out.consumed = 0;
    else if (header.status === PROXY_STATUS.INVALID) out.consumed = -1;
    else {
      out.consumed = header.consumed;
      if (tcpPeer !== null) {
        // A trusted balancer that terminated TLS says so in the SSL TLV (send-proxy-v2-ssl).
        out.secure = header.ssl && this.matcher.trusts(tcpPeer[0], 0);
        out.peer = this.adoptProxyPeer(tcpPeer, header);
      }
    }
    return out;
  }

  /**
   * Resolves scope.client, scope.scheme, scope.forwardedHost / forwardedPort and
   * scope.rootPath from the trusted forwarding headers. Expects the connection to
   * have set client = peer, scheme 'http' / 'ws' and rootPath ''; overwrites only what
   * it resolves. Never throws on request data.
   */
  resolve(scope: Scope): void {
    if (this.rootPath.length > 0) scope.rootPath = this.rootPath;
    if (!this.proxyHeaders) return;
    const peer = scope.peer;
    // A unix-socket peer has no address: trusted only when the list says 'unix'.
    if (peer === null ? !this.matcher.unix : !this.matcher.trusts(peer[0], 0)) return;

    const h = scope.raw;
    const ids = h.ids;
    let seen = 0;
    let realIpLines = 0;
    let realIpLine = -1;
    for (let i = 0; i < h.size; i++) {
      const id = ids[i];
      if (id !== H.OTHER && id < 31) seen |= 1 << id;
      if (id === H.X_REAL_IP) {
        realIpLines++;
        realIpLine = i;
      }
    }
    seen &= this.read;
    if (seen === 0) return;

    const fwd = (seen & B_FORWARDED) !== 0;
    if (fwd) this.forwarded.parse(h);
    this.forCount = -1;
    this.forSeen = 0;

    // 3. Client. `hop` is the position of the chosen item from the right (1 = rightmost);
    // 0 when the peer stays the client or the client came from X-Real-IP.
    const buf = h.buf;
    let hop = 0;
    let found = false;
    if ((seen & B_REAL_IP) !== 0 && realIpLines === 1) {
      const s = h.spans[realIpLine * 4 + 2];
      const e = h.spans[realIpLine * 4 + 3];
      const node = this.node;
      if (parseNode(buf, trimStart(buf, s, e), trimEnd(buf, s, e), SYNTAX.LIST, node) === NODE.ADDRESS) {
        this.clientStart = node.addrStart;
        this.clientEnd = node.addrEnd;
        this.clientPort = node.port;
        found = true;
      }
    }
    if (fwd) hop = this.walkForwarded(buf);
    else if ((seen & B_XFF) !== 0) hop = this.forSeen = this.walkList(h);
    if (hop > 0) found = true;
    if (found) scope.client = [this.clientText(buf), this.clientPort];

    // 4. Scheme, host, port.
    // Configuration rules out Forwarded together with X-Forwarded-Proto/-Host.
    const cursor = this.cursor;
    if (fwd) this.forwardedValues(scope, buf, hop);
    if ((seen & B_XF_PROTO) !== 0 && this.pick(h, H.X_FORWARDED_PROTO, hop)) {
      setScheme(scope, parseScheme(buf, cursor.start, cursor.end));
    }
    if ((seen & B_XF_HOST) !== 0 && this.pick(h, H.X_FORWARDED_HOST, hop)) {
      if (hostEnd(buf, cursor.start, cursor.end, HOST_MODE.FORWARDED, this.hostWords) >= 0) {
        scope.forwardedHost = buf.latin1Slice(cursor.start, cursor.end).toLowerCase();
      }
    }
    if ((seen & B_XF_PORT) !== 0 && this.pick(h, H.X_FORWARDED_PORT, hop)) {
      const port = parseForwardedPort(buf, cursor.start, cursor.end);
      if (port > 0) scope.forwardedPort = port;
    }

    // 5. Root path: the static one wins; else the rightmost X-Forwarded-Prefix (Traefik stripprefix).
    if (this.rootPath.length === 0 && (seen & B_XF_PREFIX) !== 0 && this.cursor.nth(h, H.X_FORWARDED_PREFIX, 1)) {
      const s = this.cursor.start;
      let e = this.cursor.end;
      if (rootPathProblem(buf, s, e) === null) {
        while (e - s > 1 && buf[e - 1] === 0x2f) e--;
        scope.rootPath = e - s === 1 ? '' : buf.latin1Slice(s, e);
      }
    }
    this.cursor.release();
  }

  /**
   * X-Forwarded-For, right to left: each valid address is the client so far; stop at
   * the first untrusted one, or at garbage (the last valid address stays the client).
   * Returns the chosen item's position from the right, or 0 to keep the peer.
   */
  private walkList(h: HeaderLines): number {
    const cursor = this.cursor;
    const node = this.node;
    const matcher = this.matcher;
    const buf = h.buf;
    cursor.reset(h, H.X_FORWARDED_FOR);
    let hop = 0;
    let chosen = 0;
    for (;;) {
      if (!cursor.prev()) {
        // Every hop trusted: the leftmost is the client, except that a hop count
        // longer than the chain means the request skipped a proxy: keep the peer.
        return matcher.kind === TRUST_KIND.HOPS ? 0 : chosen;
      }
      hop++;
      if (parseNode(buf, cursor.start, cursor.end, SYNTAX.LIST, node) !== NODE.ADDRESS) return chosen;
      this.clientStart = node.addrStart;
      this.clientEnd = node.addrEnd;
      this.clientPort = node.port;
      chosen = hop;
      if (!matcher.trustsNode(buf, node, hop)) return chosen;
    }
  }

  /**
   * The chosen client item as a string: the previous one when the bytes are the same (one
   * client behind a proxy sends many requests), saving a string and latin1Slice()'s call
   * into C++ per request.
   */
  private clientText(buf: Buffer): string {
    if (equalsText(buf, this.clientStart, this.clientEnd, this.lastClient)) return this.lastClient;
    return (this.lastClient = buf.latin1Slice(this.clientStart, this.clientEnd));
  }

  /** The same walk over `Forwarded` elements (for=). */
  private walkForwarded(buf: Buffer): number {
    const t = this.forwarded;
    const table = t.table;
    const node = this.node;
    const matcher = this.matcher;
    let hop = 0;
    let chosen = 0;
    for (;;) {
      const o = t.fromRight(hop + 1);
      if (o < 0) {
        if (hop + 1 <= t.count) return chosen; // fell off the ring: treated as garbage
        return matcher.kind === TRUST_KIND.HOPS ? 0 : chosen;
      }
      hop++;
      const flags = table[o + SLOT.FLAGS];
      if ((flags & (EL.INVALID | EL.FOR_BAD)) !== 0 || (flags & EL.FOR) === 0) return chosen;
      if (parseNode(buf, table[o + SLOT.FOR_START], table[o + SLOT.FOR_END], SYNTAX.FORWARDED, node) !== NODE.ADDRESS) {
        return chosen;
      }
      this.clientStart = node.addrStart;
      this.clientEnd = node.addrEnd;
      this.clientPort = node.port;
      chosen = hop;
      if (!matcher.trustsNode(buf, node, hop)) return chosen;
    }
  }

  /**
   * Puts the cursor on the entry of list `id` for the client's hop: the same position
   * from the right when the list is as long as X-Forwarded-For (every proxy appended
   * to both), else the rightmost. Never the leftmost of a longer list.
   */
  private pick(h: HeaderLines, id: number, hop: number): boolean {
    const cursor = this.cursor;
    let k = 1;
    if (hop > 1) {
      const n = cursor.count(h, id);
      if (n === 0) return false;
      // A list shorter than the X-Forwarded-For items the walk already saw cannot be as long: no recount.
      if (n >= this.forSeen) {
        if (this.forCount < 0) this.forCount = cursor.count(h, H.X_FORWARDED_FOR);
        if (n === this.forCount) k = hop;
      }
    }
    return cursor.nth(h, id, k);
  }

  /** proto= and host= of the client's element, else of the rightmost element. */
  private forwardedValues(scope: Scope, buf: Buffer, hop: number): void {
    const t = this.forwarded;
    const table = t.table;
    const chosen = hop > 0 ? t.fromRight(hop) : -1;
    const rightmost = t.fromRight(1);
    let o = chosen >= 0 && (table[chosen] & EL.PROTO) !== 0 ? chosen : rightmost;
    if (o >= 0 && (table[o] & (EL.INVALID | EL.PROTO_BAD)) === 0 && (table[o] & EL.PROTO) !== 0) {
      setScheme(scope, parseScheme(buf, table[o + SLOT.PROTO_START], table[o + SLOT.PROTO_END]));
    }
    o = chosen >= 0 && (table[chosen] & EL.HOST) !== 0 ? chosen : rightmost;
    if (o >= 0 && (table[o] & (EL.INVALID | EL.HOST_BAD)) === 0 && (table[o] & EL.HOST) !== 0) {
      const s = table[o + SLOT.HOST_START];
      const e = table[o + SLOT.HOST_END];
      if (hostEnd(buf, s, e, HOST_MODE.FORWARDED, this.hostWords) >= 0) scope.forwardedHost = buf.latin1Slice(s, e).toLowerCase();
    }
  }
}

/** Interned scheme names: no string is made per request. */
function setScheme(scope: Scope, code: SchemeCode): void {
  if (code === SCHEME.INVALID) return;
  const secure = code === SCHEME.SECURE;
  scope.scheme = scope.type === 'websocket' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
}
