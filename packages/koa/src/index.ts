/**
 * `@idempo/koa`: Idempotency-Key for Koa 2 and 3. `app.use(idempotency(options))` protects every request;
 * `idem.route(options)` protects one route with its own options.
 *
 * @packageDocumentation
 */
export {
  type IdempotencyMiddleware,
  idempotency,
  type KoaIdempotencyOptions,
  type KoaRouteOptions,
} from './middleware.js';
