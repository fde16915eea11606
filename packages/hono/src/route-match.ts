/**
 * What Hono matched after the running middleware: whether a route handles the request at all (a path with no
 * route ends in the app's `notFound` handler, whose 404 must never be stored under a key), and whether a
 * `.route()` middleware of the same idempo instance runs later.
 */
import type { Context } from 'hono';

/** A matched entry, as `c.req.matchedRoutes` lists it. */
interface MatchedEntry {
  readonly method: string;
  readonly handler: unknown;
}

/** Hono marks a sub-app's handler wrapped by `app.route()` with the handler it wraps (a Symbol in Hono 4.0). */
function unwrapped(handler: unknown): unknown {
  let current = handler;
  for (let depth = 0; depth < 8 && typeof current === 'function'; depth++) {
    const marked = current as unknown as Record<string | symbol, unknown>;
    const inner =
      marked['__COMPOSED_HANDLER'] ??
      Object.getOwnPropertySymbols(current)
        .filter((symbol) => symbol.description === 'composedHandler')
        .map((symbol) => marked[symbol])[0];
    if (inner === undefined) return current;
    current = inner;
  }
  return current;
}

/**
 * Whether `entry` is a route's own handler: one registered for a method (`app.post`, `app.on`), or for every
 * method (`app.all`) by a function that takes no `next`. Entries of `app.use` (and `mount()`) are registered for
 * every method by functions that take `next`: middleware, Hono's own definition (`inspectRoutes` in `hono/dev`).
 */
function isRoute(entry: MatchedEntry): boolean {
  if (entry.method !== 'ALL') return true;
  const handler = unwrapped(entry.handler);
  return typeof handler === 'function' && handler.length < 2;
}

/** What runs after the middleware running now. */
export interface Downstream {
  /** A route's own handler runs later: without one, the answer is the app's `notFound`. */
  readonly route: boolean;
  /** One of `own` (e.g. a `.route()` middleware of this instance) runs later. */
  readonly own: boolean;
}

/** Scans the entries Hono matched after the running one (for `own` only when it is given). */
export function downstream(c: Context, own: Pick<WeakSet<object>, 'has'> | undefined): Downstream {
  const matched = c.req.matchedRoutes as readonly MatchedEntry[];
  let route = false;
  let ownFound = false;
  for (let i = c.req.routeIndex + 1; i < matched.length; i++) {
    const entry = matched[i] as MatchedEntry;
    if (!ownFound && own !== undefined && own.has(unwrapped(entry.handler) as object)) ownFound = true;
    if (!route && isRoute(entry)) route = true;
    if (route && (ownFound || own === undefined)) break;
  }
  return { route, own: ownFound };
}
