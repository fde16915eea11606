/** The plugin's options and the per-route `config.idempotency` it reads. */
import type { IdempotencyOptions, RouteOptions } from '@idempo/core';
import type { FastifyRequest } from 'fastify';

/**
 * Options of the {@link idempotency} plugin: core's options (every one documented with its default in
 * `@idempo/core`'s `IdempotencyOptions`), with `principal` and `fingerprint` functions receiving the
 * `FastifyRequest` as `request.context`. Only `store` is required.
 */
export type FastifyIdempotencyOptions = IdempotencyOptions<FastifyRequest>;

/** A route's own idempotency options (`config: { idempotency }`), or `false` to opt the route out. */
export type FastifyRouteIdempotency = RouteOptions<FastifyRequest> | false;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * This route's idempotency options, overriding the plugin's (`required`, `methods`, `scope`, `leaseMs`,
     * `ttlMs`, `maxBodyBytes`, `maxRequestBodyBytes`, `persist`, `fingerprint`, `enabled`), or `false` to opt the route out.
     * Validated once, when the route is registered. Default: the plugin's options.
     */
    idempotency?: FastifyRouteIdempotency | undefined;
  }
}
