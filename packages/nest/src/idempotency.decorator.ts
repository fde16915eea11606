import type { RouteOptions } from '@idempo/core';
import { SetMetadata } from '@nestjs/common';
import { IDEMPOTENCY_ROUTE_METADATA } from './idempotency.constants.js';

/**
 * Marks a handler, or every handler of a controller, as idempotent, with options that override the module's
 * (`required`, `methods`, `scope`, `leaseMs`, `ttlMs`, `maxBodyBytes`, `maxRequestBodyBytes`, `persist`,
 * `fingerprint`, `onHandlerError`; see docs/options.md). A handler's decorator wins over its controller's. Like a
 * route's options on every adapter, it inherits the module's `enabled`: with `enabled: false` in the module the
 * route stays off unless `options.enabled` is `true`. Core validates the options once, when the
 * application starts.
 *
 * @example
 * ```ts
 * @Post('payments')
 * @Idempotent({ required: true })
 * pay(@Body() body: PaymentDto) { ... }
 * ```
 */
export function Idempotent<TRequest = unknown>(
  options: RouteOptions<TRequest> = {},
): MethodDecorator & ClassDecorator {
  return SetMetadata(IDEMPOTENCY_ROUTE_METADATA, Object.freeze({ ...options }));
}

/**
 * Opts a handler, or every handler of a controller, out of idempotency: its requests pass through untouched,
 * keyed or not. A handler's `@Idempotent()` wins over its controller's `@SkipIdempotency()` and the reverse.
 */
export function SkipIdempotency(): MethodDecorator & ClassDecorator {
  return SetMetadata(IDEMPOTENCY_ROUTE_METADATA, false);
}
