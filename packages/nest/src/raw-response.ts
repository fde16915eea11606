/**
 * The Node.js response both platforms end up writing to (Express's `res`, Fastify's `reply.raw`): where idempo
 * captures the handler's answer and writes its own (`@idempo/core/node`), since everything a platform, an
 * interceptor or an exception filter sends passes there.
 */
import type { ServerResponse } from 'node:http';

/** Express's response is the Node.js one; Fastify's reply holds it as `raw`. */
export function rawResponseOf(response: unknown): ServerResponse {
  const raw = (response as { raw?: unknown }).raw;
  return (raw ?? response) as ServerResponse;
}
