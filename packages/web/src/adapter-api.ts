/**
 * `@idempo/web/adapter`: the two steps every adapter whose handlers answer a fetch `Response` shares (Hono's,
 * and `withIdempotency` itself): a ready response (replay or rejection) as a `Response`, and the capture of the
 * handler's `Response` for the record (docs/design.md "One request"). An application imports `@idempo/web`.
 *
 * @packageDocumentation
 */
export { captureResponse } from './capture-response.js';
export { toResponse } from './ready-response.js';
