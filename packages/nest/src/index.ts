/**
 * `@idempo/nest`: `Idempotency-Key` for NestJS 10 to 12, on Express and Fastify. `IdempotencyModule.forRoot()`
 * (or `forRootAsync()`) registers {@link IdempotencyInterceptor}; `@Idempotent()` and `@SkipIdempotency()`
 * configure handlers and controllers.
 *
 * @packageDocumentation
 */
export {
  IDEMPOTENCY_ENGINE,
  IDEMPOTENCY_OPTIONS,
  IDEMPOTENCY_ROUTE_METADATA,
} from './idempotency.constants.js';
export { Idempotent, SkipIdempotency } from './idempotency.decorator.js';
export { IdempotencyInterceptor } from './idempotency.interceptor.js';
export { IdempotencyModule } from './idempotency.module.js';
export type {
  IdempotencyModuleAsyncOptions,
  IdempotencyModuleFactoryOptions,
  IdempotencyModuleOptions,
  IdempotencyOptionsFactory,
} from './idempotency.options.js';
export { IdempotencyRoutes, type RouteInfo, type RouteSetting } from './idempotency.routes.js';
export { IdempotencyStore } from './idempotency-store.js';
export type { PlatformRequest } from './platform-request.js';
