/** Translating a Fastify request into core's IdempotencyRequest. */
import type { IdempotencyRequest } from '@idempo/core';
import type { FastifyRequest } from 'fastify';
import type { BodyTee } from './body-tee.js';

/** Builds the request core sees; the body is read from `tee` only if core asks for it. */
export function toIdempotencyRequest(
  request: FastifyRequest,
  tee: BodyTee | undefined,
): IdempotencyRequest<FastifyRequest> {
  const { url } = request;
  const mark = url.indexOf('?');
  const { headers } = request;
  return {
    method: request.method,
    path: mark < 0 ? url : url.slice(0, mark),
    query: mark < 0 ? '' : url.slice(mark + 1),
    header: (name) => headers[name],
    body: () => tee?.bytes() ?? null,
    route: request.routeOptions.config.idempotency,
    context: request,
  };
}
