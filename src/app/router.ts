// Route table: exact paths in one Map per method, parameterised paths in a small radix
// tree per method. Matching a static route is two Map lookups and allocates nothing;
// a parameterised route is matched by comparing char codes against the tree's
// prefixes (no substrings), and its parameters are cut out of the path only when the
// handler reads request.pathParams.
//
// Why not find-my-way (fastify's router, present in node_modules only as a dependency
// of the fastify dev dependency): its find() takes the raw URL and re-splits and
// re-decodes it (the scope has done that already), and allocates per call (the
// sanitised-URL object, a backtracking array, the result object, the params object,
// the parsed query), also for static routes. It would also become a runtime
// dependency of this package. What it adds on top of this file (constraints,
// versioning, regex params) the app layer does not offer.

/** Route handler as stored by the router (the app layer decides what it is). */
export interface Route<H = unknown> {
  readonly method: string;
  /** The pattern as registered, e.g. '/items/:id'. */
  readonly pattern: string;
  readonly handler: H;
  /** Pattern split into static parts and parameters; [] for a static route. */
  readonly parts: readonly RoutePart[];
}

/** A static run of characters (`name` null) or a parameter (`name`, `rest` for '*'). */
export interface RoutePart {
  readonly text: string;
  readonly name: string | null;
  readonly rest: boolean;
}

const SLASH = 0x2f;
const EMPTY_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

class Node<H> {
  prefix: string;
  /** First char code of each static child, scanned linearly (children are few). */
  firsts: number[] = [];
  children: Node<H>[] = [];
  /** Child for ':name': consumes one non-empty segment (up to the next '/'). */
  param: Node<H> | null = null;
  /** Route for '*' here: consumes the rest of the path, possibly empty. */
  rest: Route<H> | null = null;
  /** Route ending exactly here. */
  route: Route<H> | null = null;
  readonly isParam: boolean;

  constructor(prefix: string, isParam: boolean) {
    this.prefix = prefix;
    this.isParam = isParam;
  }
}

/** Splits '/a/:id/b/*' into parts; throws on a malformed pattern (start-up error). */
export function parsePattern(pattern: string): RoutePart[] {
  if (typeof pattern !== 'string' || pattern.charCodeAt(0) !== SLASH) {
    throw new TypeError(`Route path must start with '/': ${JSON.stringify(pattern)}`);
  }
  const parts: RoutePart[] = [];
  const names = new Set<string>();
  let text = '';
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === ':' && pattern.charCodeAt(i - 1) === SLASH) {
      let e = i + 1;
      while (e < pattern.length && /[A-Za-z0-9_$]/.test(pattern[e])) e++;
      const name = pattern.slice(i + 1, e);
      if (name.length === 0) throw new TypeError(`Route ${pattern}: ':' must be followed by a parameter name`);
      if (e < pattern.length && pattern.charCodeAt(e) !== SLASH) {
        throw new TypeError(`Route ${pattern}: parameter :${name} must end at '/' or the end of the path`);
      }
      if (names.has(name)) throw new TypeError(`Route ${pattern}: parameter :${name} appears twice`);
      names.add(name);
      if (text.length > 0) parts.push({ text, name: null, rest: false });
      text = '';
      parts.push({ text: '', name, rest: false });
      i = e;
    } else if (c === '*') {
      if (i !== pattern.length - 1 || pattern.charCodeAt(i - 1) !== SLASH) {
        throw new TypeError(`Route ${pattern}: '*' is allowed only as the last segment`);
      }
      if (text.length > 0) parts.push({ text, name: null, rest: false });
      text = '';
      parts.push({ text: '', name: '*', rest: true });
      i++;
    } else {
      text += c;
      i++;
    }
  }
  if (parts.length === 0) return [];
  if (text.length > 0) parts.push({ text, name: null, rest: false });
  return parts;
}

export class Router<H> {
  /** method → exact path → route. */
  private readonly statics = new Map<string, Map<string, Route<H>>>();
  /** method → radix tree of parameterised routes. */
  private readonly trees = new Map<string, Node<H>>();

  /** Adds a route; throws on a malformed pattern or a duplicate (start-up errors). */
  add(method: string, pattern: string, handler: H): Route<H> {
    const parts = parsePattern(pattern);
    const route: Route<H> = { method, pattern, handler, parts };
    if (parts.length === 0) {
      let table = this.statics.get(method);
      if (table === undefined) this.statics.set(method, (table = new Map()));
      if (table.has(pattern)) throw new Error(`Route ${method} ${pattern} is already defined`);
      table.set(pattern, route);
      return route;
    }
    let root = this.trees.get(method);
    if (root === undefined) this.trees.set(method, (root = new Node<H>('', false)));
    let node = root;
    for (const part of parts) {
      if (part.rest) {
        if (node.rest !== null) throw new Error(`Route ${method} ${pattern} conflicts with ${node.rest.pattern}`);
        node.rest = route;
        return route;
      }
      node = part.name !== null ? (node.param ??= new Node<H>('', true)) : insertStatic(node, part.text);
    }
    if (node.route !== null) throw new Error(`Route ${method} ${pattern} conflicts with ${node.route.pattern}`);
    node.route = route;
    return route;
  }

  /** The route for method and (decoded) path, or null. Static routes first, then the tree. */
  find(method: string, path: string): Route<H> | null {
    const table = this.statics.get(method);
    if (table !== undefined) {
      const r = table.get(path);
      if (r !== undefined) return r;
    }
    const root = this.trees.get(method);
    return root === undefined ? null : match(root, path, 0);
  }

  /** Methods that have a route for `path` (for 405 and its Allow header). Slow path. */
  allowed(path: string): string[] {
    const out: string[] = [];
    const methods = new Set([...this.statics.keys(), ...this.trees.keys()]);
    for (const m of methods) if (this.find(m, path) !== null) out.push(m);
    return out;
  }
}

/** Walks down from `node` along the static text, splitting nodes where prefixes diverge. */
function insertStatic<H>(start: Node<H>, text: string): Node<H> {
  let node = start;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const k = node.firsts.indexOf(c);
    if (k < 0) {
      const child = new Node<H>(text.slice(i), false);
      node.firsts.push(c);
      node.children.push(child);
      return child;
    }
    const child = node.children[k];
    const p = child.prefix;
    let common = 0;
    while (common < p.length && i + common < text.length && p.charCodeAt(common) === text.charCodeAt(i + common)) common++;
    if (common < p.length) {
      // Split child: [p[0:common]] → [p[common:]] (keeps the child's subtree).
      const tail = new Node<H>(p.slice(common), false);
      tail.firsts = child.firsts;
      tail.children = child.children;
      tail.param = child.param;
      tail.rest = child.rest;
      tail.route = child.route;
      child.prefix = p.slice(0, common);
      child.firsts = [p.charCodeAt(common)];
      child.children = [tail];
      child.param = null;
      child.rest = null;
      child.route = null;
    }
    node = child;
    i += common;
  }
  return node;
}

/**
 * Depth-first match with backtracking; priority at each node: static child, then
 * parameter, then '*'. Compares char codes in place: no strings are made.
 */
function match<H>(node: Node<H>, path: string, i: number): Route<H> | null {
  if (node.isParam) {
    let e = i;
    while (e < path.length && path.charCodeAt(e) !== SLASH) e++;
    if (e === i) return null;
    i = e;
  } else {
    const p = node.prefix;
    if (path.length - i < p.length) return null;
    for (let k = 0; k < p.length; k++) if (path.charCodeAt(i + k) !== p.charCodeAt(k)) return null;
    i += p.length;
  }
  if (i === path.length) {
    if (node.route !== null) return node.route;
  } else {
    const c = path.charCodeAt(i);
    const firsts = node.firsts;
    for (let k = 0; k < firsts.length; k++) {
      if (firsts[k] === c) {
        const r = match(node.children[k], path, i);
        if (r !== null) return r;
        break;
      }
    }
    if (node.param !== null) {
      const r = match(node.param, path, i);
      if (r !== null) return r;
    }
  }
  return node.rest;
}

/**
 * Parameters of `route` cut out of `path` (which the route matched). Called lazily by
 * request.pathParams; a static route gets a shared frozen empty object.
 */
export function extractParams(route: Route<unknown>, path: string): Record<string, string> {
  const parts = route.parts;
  if (parts.length === 0) return EMPTY_PARAMS as Record<string, string>;
  const params: Record<string, string> = {};
  let i = 0;
  for (const part of parts) {
    if (part.name === null) {
      i += part.text.length;
    } else if (part.rest) {
      params[part.name] = path.slice(i);
      i = path.length;
    } else {
      let e = i;
      while (e < path.length && path.charCodeAt(e) !== SLASH) e++;
      params[part.name] = path.slice(i, e);
      i = e;
    }
  }
  return params;
}
