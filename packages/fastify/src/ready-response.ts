/** Writing a response that core made (a replay or a rejection) exactly: status, every field line, body bytes. */
import type { ReadyResponse } from '@idempo/core/adapter';
import type { FastifyReply } from 'fastify';

const EMPTY = Buffer.alloc(0);

/** Sends `ready` through `reply`; headers set earlier by other hooks stay unless `ready` sets the same name. */
export function sendReady(reply: FastifyReply, ready: ReadyResponse): FastifyReply {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of ready.headers) {
    const previous = headers[name];
    headers[name] =
      previous === undefined ? value : [...(typeof previous === 'string' ? [previous] : previous), value];
  }
  const { body } = ready;
  reply.code(ready.status).headers(headers);
  if (body.byteLength > 0) return reply.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  // An empty body goes as no payload, so that Fastify adds no Content-Type the original did not have; one that
  // had a Content-Type was an empty payload, which Fastify sends with its Content-Length (a 304's too).
  return reply.send(headers['content-type'] === undefined ? undefined : EMPTY);
}
