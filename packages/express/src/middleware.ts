/**
 * The Express middleware: `app.use(idempotency(options))` for every request, `idem.route(options)` for one route.
 * It only translates (docs/design.md "One request"): it builds the IdempotencyRequest, calls `begin`, writes a
 * ready response, and captures what the route writes on the Node response (`@idempo/core/node`), committing it
 * before it is sent; an error passed to `next(err)` goes to core first (`threw`).
 */
import type { IdempotencyOptions, RouteOptions } from '@idempo/core';
import {
  type CapturedResponse,
  createIdempotency,
  type ExecuteDecision,
  type Idempotency,
  type IdempotencyRequest,
} from '@idempo/core/adapter';
import { type CaptureTarget, captureResponse, headerLines, writeReady } from '@idempo/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { watchErrors } from './handler-errors.js';
import { hasBody, readRequestBody } from './request-body.js';
import { answeredByNoRoute } from './route-match.js';

/** Options of {@link idempotency}: core's options; `principal` and `fingerprint` see the Express `Request`. */
export type ExpressIdempotencyOptions = IdempotencyOptions<Request>;

/** Options of one route ({@link IdempotencyMiddleware.route}); `false` opts the route out. */
export type ExpressRouteOptions = RouteOptions<Request> | false;

/** The middleware {@link idempotency} returns, with its engine and its route-level factory. */
export interface IdempotencyMiddleware extends RequestHandler {
  /** The engine, created once from the options. */
  readonly engine: Idempotency<Request>;
  /**
   * A middleware for one route, with that route's options over the application's (`false`: the route passes
   * through untouched; nothing: the application's options). The options are validated here, once. A request
   * already reserved by another idempo mount passes through (core handles each request once); Express runs
   * `app.use` middleware before a route matched, so a route with options of its own behind `app.use(idem)` is
   * refused by core (InvalidOptionsError, answered 500 by your error handler or Express's) rather than its
   * options ignored.
   */
  route(options?: ExpressRouteOptions): RequestHandler;
}

/**
 * Builds core's request: method, the URL as the client sent it (before any mount), headers, the body read only
 * when core asks (none without framing headers). One literal per shape, no spread: this runs per request.
 */
function toIdempotencyRequest(
  req: Request,
  route: ExpressRouteOptions | undefined,
): IdempotencyRequest<Request> {
  // `req.url` is relative to the mount point inside a router mounted at a path (`app.use('/api', router)`).
  const url = req.originalUrl;
  const header = (name: string) => headerLines(req, name);
  if (!hasBody(req)) return { method: req.method, url, header, body: null, route, context: req };
  return {
    method: req.method,
    url,
    header,
    body: (maxBytes: number) => readRequestBody(req, maxBytes),
    parsedBody: () => (req as { body?: unknown }).body,
    route,
    context: req,
  };
}

/** What the capture settles: core's commit, but an answer no route gave is released, never stored. */
function target(req: Request, decision: ExecuteDecision): CaptureTarget {
  return {
    commit: (response: CapturedResponse) =>
      answeredByNoRoute(req, response.status) ? decision.abandon('no-route') : decision.commit(response),
    abandon: (cause: unknown) => decision.abandon(cause),
  };
}

async function handle(
  engine: Idempotency<Request>,
  route: ExpressRouteOptions | undefined,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const decision = await engine.begin(toIdempotencyRequest(req, route));
  if (decision.kind === 'bypass') return next();
  if (decision.kind !== 'execute') return writeReady(res, decision.response);
  const capture = captureResponse(res, target(req, decision), decision.maxBodyBytes);
  // Core decides what an error does (onHandlerError): the key is released and what your error handler (or
  // Express's) writes goes out untouched, or that answer is captured and committed as the handler's.
  watchErrors(req, (error) =>
    decision.threw(error).then((kept) => (kept ? undefined : capture.release(error))),
  );
  next();
}

/**
 * Creates the idempotency middleware. The options are validated and the engine created here, once.
 *
 * @example
 * ```ts
 * const idem = idempotency({ store: new MemoryStore() });
 * app.use(express.json());
 * app.use(idem); // or, per route: app.post('/payments', idem.route({ required: true }), pay)
 * ```
 */
export function idempotency(options: ExpressIdempotencyOptions): IdempotencyMiddleware {
  const engine = createIdempotency<Request>(options);
  const mount =
    (routeOptions: ExpressRouteOptions | undefined): RequestHandler =>
    (req, res, next) => {
      handle(engine, routeOptions, req, res, next).catch(next);
    };
  const route = (routeOptions?: ExpressRouteOptions): RequestHandler => {
    engine.validateRoute(routeOptions);
    return mount(routeOptions);
  };
  return Object.assign(mount(undefined), { engine, route });
}
