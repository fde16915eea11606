/**
 * `@idempo/web`: Idempotency-Key for Web-standard `Request -> Response` handlers, wherever they run: `Bun.serve`,
 * `Deno.serve`, Cloudflare Workers, Next.js route handlers, and any server that speaks fetch.
 *
 * @packageDocumentation
 */
export type { WebContext, WebErrorHandler, WebIdempotencyOptions } from './options.js';
export { type IdempotentHandler, type WebHandler, withIdempotency } from './with-idempotency.js';
