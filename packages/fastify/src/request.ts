/** Translating a Fastify request into core's IdempotencyRequest. */
import type { IdempotencyRequest } from '@idempo/core/adapter';
import type { CapturedBody } from '@idempo/core/node';
import { headerLines } from '@idempo/core/node';
import type { FastifyRequest } from 'fastify';

/** Builds the request core sees; its body is what was read ahead of the parser (none when nothing was). */
export function toIdempotencyRequest(
  request: FastifyRequest,
  body: CapturedBody | undefined,
): IdempotencyRequest<FastifyRequest> {
  const { headers } = request;
  return {
    method: request.method,
    url: request.url,
    // Every field line of a repeated header, as the Node request keeps them.
    header: (name) => headerLines({ headers, headersDistinct: request.raw.headersDistinct }, name),
    body: body?.read ?? null,
    route: request.routeOptions.config.idempotency,
    context: request,
  };
}
