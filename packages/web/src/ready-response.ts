/** Step 3: a ready response (replay or rejection) as a fetch `Response`, exactly: status, field lines, bytes. */
import { hasNoBody, type ReadyResponse } from '@idempo/core/adapter';

/**
 * The field lines as a record of lower-case names, or `Headers` when a name repeats (Set-Cookie): a record is
 * what @hono/node-server writes without building `Headers` (or iterating them, sorted, into a record again).
 */
function headersOf(lines: ReadyResponse['headers']): Record<string, string> | Headers {
  const record: Record<string, string> = {};
  for (const [name, value] of lines) {
    const lower = name.toLowerCase();
    // `in` also meets Object.prototype's names (`constructor`, `__proto__`): those go into Headers too.
    if (lower in record) {
      const headers = new Headers();
      for (const [n, v] of lines) headers.append(n, v);
      return headers;
    }
    record[lower] = value;
  }
  return record;
}

/**
 * The `Response` for a ready response (core's replay or rejection): its status, every header field line
 * (Set-Cookie one per cookie) and its bytes; no body for 204, 205 and 304.
 *
 * @param ready - `decision.response` of a `replay` or `reject` decision.
 * @returns A new `Response`.
 */
export function toResponse(ready: ReadyResponse): Response {
  const body = hasNoBody(ready.status) ? null : (ready.body as Uint8Array<ArrayBuffer>);
  return new Response(body, { status: ready.status, headers: headersOf(ready.headers) });
}
