/** Step 3: a ready response (replay or rejection) as a fetch `Response`, exactly: status, field lines, bytes. */
import { hasNoBody, type ReadyResponse } from '@idempo/core/adapter';

/**
 * The `Response` for a ready response (core's replay or rejection): its status, every header field line
 * (Set-Cookie one per cookie) and its bytes; no body for 204, 205 and 304.
 *
 * @param ready - `decision.response` of a `replay` or `reject` decision.
 * @returns A new `Response`.
 */
export function toResponse(ready: ReadyResponse): Response {
  const headers = new Headers();
  for (const [name, value] of ready.headers) headers.append(name, value);
  const body = hasNoBody(ready.status) ? null : (ready.body as Uint8Array<ArrayBuffer>);
  return new Response(body, { status: ready.status, headers });
}
