/**
 * Whether an answer is no route's own (issue 15.7): in a rolling deploy a retry may reach an instance that has
 * the route, so a "no such route" answer must never be stored under the key. Koa runs `app.use(idem)` before any
 * router, so this is judged after the downstream middleware ran, from what Koa and the router left in `ctx`.
 */
import { isNoRouteStatus } from '@idempo/core/adapter';
import type { Context } from 'koa';

/** What Koa and `@koa/router` (or koa-router) leave on the context. */
interface RoutedContext {
  /** `@koa/router`: the layers whose path matched; set whenever a router dispatched the request. */
  readonly matched?: unknown;
  /** `@koa/router`: the path of the route that matched path and method; absent when none did. */
  readonly _matchedRoute?: unknown;
  readonly response: { readonly _explicitStatus?: boolean };
}

/**
 * True when the answer is Koa's own (nothing set a status or a body: its default 404), or when a router
 * dispatched the request, none of its routes matched method and path, and the answer is a 404, 405 or 501
 * (the router's not-found handling or `allowedMethods()`).
 */
export function answeredByNoRoute(ctx: Context): boolean {
  const routed = ctx as unknown as RoutedContext;
  if (ctx.status === 404 && routed.response._explicitStatus !== true && ctx.body == null) return true;
  return Array.isArray(routed.matched) && routed._matchedRoute === undefined && isNoRouteStatus(ctx.status);
}
