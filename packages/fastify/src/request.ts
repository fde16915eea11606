/** Translating a Fastify request into core's IdempotencyRequest. */
import type { IdempotencyRequest } from '@idempo/core/adapter';
import { headerLines, headerSource } from '@idempo/core/node';
import type { FastifyRequest } from 'fastify';

/** Builds the request core sees; its body is what was read ahead of the parser (none when nothing was). */
export function toIdempotencyRequest(
  request: FastifyRequest,
  body: { readonly read: (maxBytes: number) => Uint8Array | null } | undefined,
): IdempotencyRequest<FastifyRequest> {
  // Every field line of a repeated header, as the Node request keeps them.
  const source = headerSource(request.headers, request.raw);
  return {
    method: request.method,
    url: request.url,
    header: (name) => headerLines(source, name),
    body: body?.read ?? null,
    route: request.routeOptions.config.idempotency,
    context: request,
  };
}
