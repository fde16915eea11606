/** Injection tokens and metadata keys of the idempotency module. */

/** Injection token of the options given to `IdempotencyModule.forRoot()` or made by `forRootAsync()`. */
export const IDEMPOTENCY_OPTIONS: unique symbol = Symbol('IDEMPOTENCY_OPTIONS');

/** Injection token of the engine (`createIdempotency(options)` from `@idempo/core`), created once per module. */
export const IDEMPOTENCY_ENGINE: unique symbol = Symbol('IDEMPOTENCY_ENGINE');

/**
 * Metadata key under which `@Idempotent()` and `@SkipIdempotency()` store a handler's or a controller's route
 * options (`false` for `@SkipIdempotency()`).
 */
export const IDEMPOTENCY_ROUTE_METADATA = 'idempo:route';
