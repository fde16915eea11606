/**
 * `idempotency(options)`: the Hono middleware. It does what every idempo adapter does, in five steps: build the
 * request, `begin`, write a ready response, capture the handler's response, `commit` or `abandon`.
 */
import type { RouteOptions } from '@idempo/core';
import { createIdempotency, type ExecuteDecision } from '@idempo/core/adapter';
import { captureResponse, toResponse } from '@idempo/web/adapter';
import type { Context, Env, MiddlewareHandler, Next } from 'hono';
import type { HonoIdempotencyOptions } from './options.js';
import { toIdempotencyRequest } from './request.js';
import { downstream } from './route-match.js';
import { variableOf } from './variable.js';

/** Options of one route: core's {@link RouteOptions}, or `false` to opt the route out. */
export type HonoRouteOptions<E extends Env = Env> = RouteOptions<Context<E>> | false;

/** The middleware `idempotency(options)` returns, with its per-route variant. */
export interface IdempotencyMiddleware<E extends Env = Env> extends MiddlewareHandler<E> {
  /**
   * A middleware for one route (or path), with that route's options over the application's; validated here,
   * once. Where the app-wide middleware and a `.route()` one of the same `idempotency(...)` both match a request,
   * the app-wide one stands aside and the route's options apply.
   *
   * @param options - The route's options (default: the application's), or `false` to opt it out.
   */
  route(options?: HonoRouteOptions<E>): MiddlewareHandler<E>;
}

/**
 * Runs the handler, then stores its response or releases the key: `@idempo/web`'s `captureResponse` (a body at
 * hand is stored before anything is sent; one that comes over time is forwarded as it comes, and its end is sent
 * once it is stored; at most `maxBodyBytes` of it is held).
 */
async function execute(c: Context, next: Next, decision: ExecuteDecision): Promise<void> {
  try {
    await next();
    // Hono turns a handler's exception into its onError response inside `next()`: core decides whether that
    // response is the handler's answer (onHandlerError) or the key is released.
    if (c.error !== undefined && !(await decision.threw(c.error))) return;
    const res = c.res;
    const send = await captureResponse(res, decision);
    if (send === res) return;
    c.res = undefined; // replace the response rather than merge headers into it
    c.res = send;
  } catch (error) {
    await decision.abandon(error);
    throw error;
  }
}

/**
 * Creates the engine once (options validated here) and returns Hono middleware. A request that another idempo
 * middleware has already reserved passes through (core handles each request once).
 *
 * @example
 * ```ts
 * type AppEnv = { Variables: { userId: string } };
 * const idem = idempotency<AppEnv>({ store: new RedisStore({ client }), principal: (req) => req.context.get('userId') });
 * app.use('/api/*', idem);
 * app.post('/api/payments', idem.route({ required: true }), (c) => c.json({ ok: true }, 201));
 * ```
 */
export function idempotency<E extends Env = Env>(
  options: HonoIdempotencyOptions<E>,
): IdempotencyMiddleware<E> {
  const engine = createIdempotency<Context<E>>(options);
  const routeMiddleware = new WeakSet<object>();

  const handle = async (c: Context<E>, next: Next, route: HonoRouteOptions<E> | undefined) => {
    const decision = await engine.begin(toIdempotencyRequest(c, route));
    c.set('idempotency', variableOf(decision));
    if (decision.kind === 'bypass') return next();
    if (decision.kind !== 'execute') return toResponse(decision.response);
    return execute(c as Context, next, decision);
  };

  let routes = 0;
  const middleware = async function idempotency(c, next) {
    const after = downstream(c, routes > 0 ? routeMiddleware : undefined);
    // No route: the answer is the app's notFound, never stored (a retry may reach an instance that has the route).
    // A `.route()` middleware of this instance later: it applies the route's options.
    if (!after.route || after.own) return next();
    return handle(c, next, undefined);
  } as IdempotencyMiddleware<E>;
  middleware.route = (route) => {
    engine.validateRoute(route);
    const perRoute: MiddlewareHandler<E> = async function idempotencyRoute(c, next) {
      if (!downstream(c, undefined).route) return next();
      return handle(c, next, route);
    };
    routeMiddleware.add(perRoute);
    routes++;
    return perRoute;
  };
  return middleware;
}
