/**
 * `idempotency(options)`: the Hono middleware. It does what every idempo adapter does, in five steps: build the
 * request, `begin`, write a ready response, capture the handler's response, `commit` or `abandon`.
 */
import type { RouteOptions } from '@idempo/core';
import { createIdempotency, type ExecuteDecision } from '@idempo/core/adapter';
import type { Context, Env, MiddlewareHandler, Next } from 'hono';
import { storedBody } from './content-encoding.js';
import type { HonoIdempotencyOptions } from './options.js';
import { toResponse } from './ready-response.js';
import { toIdempotencyRequest } from './request.js';
import { type BodySink, captureBody } from './response-body.js';
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

/** The response to send in place of `res`, with its status and headers, and a new body. */
function withBody(res: Response, body: Uint8Array | ReadableStream<Uint8Array>): Response {
  // A plain init, not `res`: @hono/node-server writes a Response made from bytes and a plain init directly, but
  // one made from another Response through the slow stream path.
  return new Response(body as BodyInit, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

/**
 * Runs the handler, then stores its response or releases the key. A body at hand is stored before anything is
 * sent; one that comes over time is forwarded as it comes, and its end is sent once it is stored. At most
 * `maxBodyBytes` of the body is held (see `captureBody`).
 */
async function execute(c: Context, next: Next, decision: ExecuteDecision): Promise<void> {
  try {
    await next();
    // Hono turns a handler's exception into its onError response inside `next()`: core decides whether that
    // response is the handler's answer (onHandlerError) or the key is released.
    if (c.error !== undefined && !(await decision.threw(c.error))) return;
    const res = c.res;
    if (res.body === null) {
      await decision.commit({ status: res.status, headers: res.headers });
      return;
    }
    const sink: BodySink = {
      async complete(bytes) {
        const stored = await storedBody(bytes, res.headers, decision.maxBodyBytes);
        if (stored === undefined) await decision.abandon('too-large');
        else await decision.commit({ status: res.status, headers: stored.headers, body: stored.body });
      },
      incomplete: (reason, error) => decision.abandon(reason === 'failed' ? error : reason),
    };
    const send = await captureBody(res.body, res.headers, decision.maxBodyBytes, sink);
    if (send === res.body) return;
    c.res = undefined; // replace the response rather than merge headers into it
    c.res = withBody(res, send);
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
