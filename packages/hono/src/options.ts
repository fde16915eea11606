/** The middleware's options: core's, typed with Hono's `Context`. */
import type { IdempotencyOptions } from '@idempo/core';
import type { Context, Env } from 'hono';

/**
 * Options of {@link idempotency}: every option of `@idempo/core` (`store` required; the others and their
 * defaults are listed in core's README). `principal` and `fingerprint` receive the request with `context` set to
 * Hono's `Context<E>`, e.g. `idempotency<AppEnv>({ store, principal: (req) => req.context.get('userId') })`. The adapter adds no option of its own.
 */
export type HonoIdempotencyOptions<E extends Env = Env> = IdempotencyOptions<Context<E>>;
