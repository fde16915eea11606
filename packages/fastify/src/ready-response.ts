/** Writing a response that core made (a replay or a rejection) exactly: status, every field line, body bytes. */
import type { ReadyResponse } from '@idempo/core';
import type { FastifyReply } from 'fastify';

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
  // An empty body goes as no payload, so that Fastify adds no Content-Type the original did not have.
  return body.byteLength === 0
    ? reply.send()
    : reply.send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}
