/**
 * `@idempo/hono`: Idempotency-Key for Hono, wherever Hono runs (Node, Bun, Deno, Cloudflare Workers).
 *
 * @packageDocumentation
 */
export { type HonoRouteOptions, type IdempotencyMiddleware, idempotency } from './middleware.js';
export type { HonoIdempotencyOptions } from './options.js';
export type { IdempotencyVariable } from './variable.js';
