/** Translating a Fastify request into core's IdempotencyRequest. */
import type { IdempotencyRequest } from '@idempo/core/adapter';
import type { CapturedBody } from '@idempo/core/node';
import type { FastifyRequest } from 'fastify';

/** Builds the request core sees; its body is what was read ahead of the parser (none when nothing was). */
export function toIdempotencyRequest(
  request: FastifyRequest,
  body: CapturedBody | undefined,
): IdempotencyRequest<FastifyRequest> {
  const { url } = request;
  const mark = url.indexOf('?');
  const { headers } = request;
  return {
    method: request.method,
    path: mark < 0 ? url : url.slice(0, mark),
    query: mark < 0 ? '' : url.slice(mark + 1),
    header: (name) => headers[name],
    body: body?.read ?? null,
    route: request.routeOptions.config.idempotency,
    context: request,
  };
}
