/**
 * `@idempo/express`: Idempotency-Key for Express 4 and 5. `app.use(idempotency(options))` protects every request;
 * `idem.route(options)` protects one route with its own options.
 *
 * @packageDocumentation
 */
export {
  type ExpressIdempotencyOptions,
  type ExpressRouteOptions,
  type IdempotencyMiddleware,
  idempotency,
} from './middleware.js';
export { keepRawBody } from './raw-body.js';
