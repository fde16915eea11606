/**
 * `@idempo/fastify`: Idempotency-Key for Fastify 5 routes, as a plugin built on `@idempo/core`.
 *
 * @packageDocumentation
 */
export type { FastifyIdempotencyOptions, FastifyRouteIdempotency } from './options.js';
export { idempotency } from './plugin.js';
