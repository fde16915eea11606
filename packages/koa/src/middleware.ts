/**
 * The Koa middleware: `app.use(idempotency(options))` for every request, `idem.route(options)` for one route.
 * It only translates (docs/design.md "One request"): it builds the IdempotencyRequest, calls `begin`,
 * writes a ready response, captures what the downstream middleware left in `ctx`, and commits it before Koa
 * sends it (or releases the key when the downstream throws).
 */
import type { IdempotencyOptions, RouteOptions } from '@idempo/core';
import { createIdempotency, type Idempotency, type IdempotencyRequest } from '@idempo/core/adapter';
import { captureResponse as captureNodeResponse, headerLines } from '@idempo/core/node';
import type { Context, Middleware, Next } from 'koa';
import { readRequestBody } from './request-body.js';
import { captureResponse, writeReady } from './response.js';
import { answeredByNoRoute } from './route-match.js';

/** Options of {@link idempotency}: core's options; `principal` and `fingerprint` see the Koa `Context`. */
export type KoaIdempotencyOptions = IdempotencyOptions<Context>;

/** Options of one route ({@link IdempotencyMiddleware.route}); `false` opts the route out. */
export type KoaRouteOptions = RouteOptions<Context> | false;

/** The middleware {@link idempotency} returns, with its engine and its route-level factory. */
export interface IdempotencyMiddleware extends Middleware {
  /** The engine, created once from the options. */
  readonly engine: Idempotency<Context>;
  /**
   * A middleware for one route, with that route's options over the application's (`false`: the route passes
   * through untouched; nothing: the application's options). The options are validated here, once. A request
   * already reserved by another idempo mount passes through (core handles each request once); Koa runs
   * `app.use` middleware before the router knows the route, so a route with options of its own behind
   * `app.use(idem)` is refused by core (InvalidOptionsError, answered 500) rather than its options ignored.
   */
  route(options?: KoaRouteOptions): Middleware;
}

async function handle(
  engine: Idempotency<Context>,
  route: KoaRouteOptions | undefined,
  ctx: Context,
  next: Next,
): Promise<void> {
  const request: IdempotencyRequest<Context> = {
    method: ctx.method,
    // As the client addressed it, before any mount (koa-mount rewrites `ctx.url`).
    url: ctx.originalUrl,
    header: (name) => headerLines(ctx.req, name),
    body: (maxBytes) => readRequestBody(ctx, maxBytes),
    parsedBody: () => (ctx.request as { body?: unknown }).body,
    route,
    context: ctx,
  };
  const decision = await engine.begin(request);
  if (decision.kind === 'bypass') return next();
  if (decision.kind !== 'execute') return writeReady(ctx, decision.response);
  try {
    await next();
  } catch (error) {
    // Core decides (onHandlerError): the key is released, or what Koa's error handling writes for the error (its
    // own onerror, or an outer middleware's ctx.body) is captured on the Node response and committed.
    if (await decision.threw(error)) captureNodeResponse(ctx.res, decision, decision.maxBodyBytes);
    throw error;
  }
  // A framework answer for a path no route serves is not stored: the retry may reach an instance that has it.
  if (answeredByNoRoute(ctx)) return decision.abandon('no-route');
  const captured = captureResponse(ctx);
  if (typeof captured === 'string') await decision.abandon(captured);
  else await decision.commit(captured);
}

/**
 * Creates the idempotency middleware. The options are validated and the engine created here, once.
 *
 * @example
 * ```ts
 * const idem = idempotency({ store: new MemoryStore() });
 * app.use(bodyParser());
 * app.use(idem); // or, per route: router.post('/payments', idem.route({ required: true }), pay)
 * ```
 */
export function idempotency(options: KoaIdempotencyOptions): IdempotencyMiddleware {
  const engine = createIdempotency<Context>(options);
  const route = (routeOptions?: KoaRouteOptions): Middleware => {
    engine.validateRoute(routeOptions);
    return (ctx, next) => handle(engine, routeOptions, ctx, next);
  };
  const middleware: Middleware = (ctx, next) => handle(engine, undefined, ctx, next);
  return Object.assign(middleware, { engine, route });
}
