/**
 * Errors passed to `next(err)` (or thrown, or a rejected promise on Express 5) after idempo let a request through.
 * Koa's adapter sees them with a try/catch around `await next()`; Express hands them on to the error-handling
 * middleware that follows the failing layer, never back to idempo. So idempo puts one error-handling layer of
 * its own where the error passes before reaching yours: after the last ordinary layer of the matched route and of
 * the application's router, before their trailing error handlers. It hands the error to core (`threw`:
 * `onHandlerError`), waits until the key is released (or kept, to store the answer), and passes the error on
 * unchanged: your error handlers and Express's final handler answer it as usual.
 */
import type { NextFunction, Request, Response } from 'express';

/**
 * What each reserved request's idempo mount does with an error, while it runs. A WeakMap, not a property of the
 * request: Express sets its app's prototype on every request, and V8 then gives each request a shape of its own
 * for a new own property (several µs, and slower access to the request afterwards).
 */
const onErrors = new WeakMap<Request, OnError>();

/** What a reserved request does with an error: tells core, and settles once the answer may be written. */
export type OnError = (error: unknown) => Promise<void>;

/** Express's `Layer` (lib/router/layer.js on 4, the `router` package on 5): what idempo reads and builds. */
interface Layer {
  readonly handle: (...args: never[]) => unknown;
  readonly constructor: new (path: string, options: object, handle: typeof watchError) => Layer;
}

/** A router or a route: its layers, in order. */
interface Stacked {
  readonly stack?: Layer[] | undefined;
}

const LAYER_OPTIONS = { sensitive: false, strict: false, end: false };

/** The error-handling layer (four parameters, so that Express calls it only with an error). */
function watchError(error: unknown, req: Request, _res: Response, next: NextFunction): void {
  const onError = onErrors.get(req);
  if (onError === undefined) {
    next(error);
    return;
  }
  onErrors.delete(req);
  const passOn = (): void => next(error);
  onError(error).then(passOn, passOn);
}

/**
 * Makes sure `owner`'s stack has the watching layer after its last ordinary layer (before its trailing error
 * handlers). A layer is only ever inserted after the ones dispatching now, never removed, so that a request
 * going through the stack meanwhile skips nothing; one check per request from the end of the stack.
 */
function watchStack(owner: Stacked | undefined): void {
  const stack = owner?.stack;
  const first = stack?.[0];
  if (stack === undefined || first === undefined) return;
  let index = stack.length;
  while (index > 0) {
    const handle = (stack[index - 1] as Layer).handle;
    if (handle === watchError) return;
    if (handle.length !== 4) break;
    index--;
  }
  stack.splice(index, 0, new first.constructor('/', LAYER_OPTIONS, watchError));
}

/** The application's router: `app.router` on Express 5, `app._router` on 4. */
function routerOf(req: Request): Stacked | undefined {
  const app = req.app as unknown as { readonly router?: Stacked; readonly _router?: Stacked } | undefined;
  return app?._router ?? app?.router;
}

/**
 * Routes `req`'s next error through `onError` first: on the application's router now, and on the route that
 * matches, now (`idem.route()`) or when the router matches it (`app.use(idem)`: Express sets `req.route`).
 */
export function watchErrors(req: Request, onError: OnError): void {
  onErrors.set(req, onError);
  watchStack(routerOf(req));
  const route = (req as { route?: Stacked }).route;
  if (route !== undefined) {
    watchStack(route);
    return;
  }
  let matched: Stacked | undefined;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => matched,
    set: (value: Stacked | undefined) => {
      matched = value;
      watchStack(value);
    },
  });
}
