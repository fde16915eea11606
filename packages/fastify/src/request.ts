/** Translating a Fastify request into core's IdempotencyRequest. */
import type { IdempotencyRequest } from '@idempo/core/adapter';
import type { CapturedBody } from '@idempo/core/node';
import { type HeaderSource, headerLines } from '@idempo/core/node';
import type { FastifyRequest } from 'fastify';

/** Builds the request core sees; its body is what was read ahead of the parser (none when nothing was). */
export function toIdempotencyRequest(
  request: FastifyRequest,
  body: CapturedBody | undefined,
): IdempotencyRequest<FastifyRequest> {
  const { headers, raw } = request;
  // Every field line of a repeated header, as the Node request keeps them. The Node request itself is the source
  // when Fastify's headers are its own: `headersDistinct` is a getter that builds an object of every header, read
  // by `headerLines` only for a value with a comma.
  const source: HeaderSource =
    raw.headers === headers
      ? raw
      : {
          headers,
          get headersDistinct() {
            return raw.headersDistinct;
          },
        };
  return {
    method: request.method,
    url: request.url,
    header: (name) => headerLines(source, name),
    body: body?.read ?? null,
    route: request.routeOptions.config.idempotency,
    context: request,
  };
}
