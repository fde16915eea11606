/** Step 1: a Hono request as core's `IdempotencyRequest`. Nothing is read until core asks for it. */
import type { IdempotencyRequest, RouteOptions } from '@idempo/core';
import type { Context, Env } from 'hono';

/**
 * The request body's bytes. The handler can still read the body: `c.req.raw` is given a new body with the same
 * bytes (as Hono's bodyLimit does), so `c.req.json()`, `text()`, `parseBody()` and `c.req.raw` all work.
 */
async function readBody(c: Context): Promise<Uint8Array | null> {
  const raw = c.req.raw;
  if (raw.body === null) return null;
  // A body an earlier middleware read through Hono (`c.req.json()`...) comes from Hono's body cache.
  const buffer = raw.bodyUsed ? await c.req.arrayBuffer() : await raw.arrayBuffer();
  c.req.raw = new Request(raw, { body: buffer });
  return new Uint8Array(buffer);
}

/** Builds the request core sees; `query` and `body` are computed only when core reads them. */
export function toIdempotencyRequest<E extends Env>(
  c: Context<E>,
  route: RouteOptions<Context<E>> | false | undefined,
): IdempotencyRequest<Context<E>> {
  const headers = c.req.raw.headers;
  return {
    method: c.req.method,
    path: c.req.path,
    get query() {
      const url = c.req.url;
      const mark = url.indexOf('?');
      return mark < 0 ? '' : url.slice(mark + 1);
    },
    header: (name) => headers.get(name),
    body: () => readBody(c),
    route,
    context: c,
  };
}
