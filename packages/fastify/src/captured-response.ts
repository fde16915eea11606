/** The handler's response as Fastify will write it, for core to store. */
import type { CapturedResponse } from '@idempo/core/adapter';
import type { FastifyReply } from 'fastify';

/**
 * What `reply` sends with `payload`: its status, headers and body. A 1xx or 204 answer goes without a body, and
 * Fastify removes the `Content-Type` and `Content-Length` that `send` set for its payload (RFC 9110 section
 * 8.6): they are not stored either, so that its replay carries exactly the original's header fields.
 */
export function capturedResponse(
  reply: FastifyReply,
  payload: string | Uint8Array | null | undefined,
): CapturedResponse {
  const status = reply.statusCode;
  const headers = reply.getHeaders();
  if (payload === null || payload === undefined || !((status >= 100 && status < 200) || status === 204))
    return { status, headers, body: payload };
  const { 'content-type': _type, 'content-length': _length, ...sent } = headers;
  return { status, headers: sent, body: null };
}
