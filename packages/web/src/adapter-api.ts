/**
 * `@idempo/web/adapter`: what every adapter over fetch `Request`s and `Response`s shares (Hono's,
 * and `withIdempotency` itself): reading the request body's framing, a ready response (replay or rejection) as a `Response`, and the capture of the
 * handler's `Response` for the record (docs/design.md "One request"). An application imports `@idempo/web`.
 *
 * @packageDocumentation
 */
export { captureResponse } from './capture-response.js';
export { toResponse } from './ready-response.js';
export { chunksOf, declaredBodyLength, hasBody } from './request.js';
