/** Step 1: a Hono request as core's `IdempotencyRequest`. Nothing is read until core asks for it. */
import type { IdempotencyRequest, RouteOptions } from '@idempo/core';
import type { Context, Env } from 'hono';

const decoder = new TextDecoder();

/** Whether the request has a body, from its framing headers when they tell (HTTP/1.1 always does). */
function hasBody(c: Context): boolean {
  const headers = c.req.raw.headers;
  const length = headers.get('content-length');
  if (headers.has('transfer-encoding')) return true;
  if (length !== null) return length.trim() !== '0';
  // No framing header (e.g. HTTP/2): ask the request itself. On @hono/node-server this builds the full Request.
  return c.req.raw.body !== null;
}

/**
 * `c.req.raw` becomes a Request with the same bytes, built only if something reads `c.req.raw` (as Hono's
 * bodyLimit does, but lazily: a replay never builds it, and building one costs more than the rest of a replay).
 */
function replaceRawLazily(c: Context, raw: Request, bytes: ArrayBuffer): void {
  let replacement: Request | undefined;
  Object.defineProperty(c.req, 'raw', {
    configurable: true,
    enumerable: true,
    get: () => {
      replacement ??= new Request(raw, { body: bytes });
      return replacement;
    },
    set: (value: Request) => {
      Object.defineProperty(c.req, 'raw', { value, writable: true, configurable: true, enumerable: true });
    },
  });
}

/**
 * The request body's bytes. The handler can still read the body in every way: Hono's body cache holds the bytes
 * (and the text, for JSON and text bodies), so `c.req.json()`, `text()`, `arrayBuffer()` and `parseBody()` read
 * no stream, and `c.req.raw` is a Request with the same bytes.
 */
async function readBody(c: Context): Promise<Uint8Array | null> {
  if (!hasBody(c)) return null;
  const raw = c.req.raw;
  // A body an earlier middleware read through Hono (`c.req.json()`...) comes from Hono's body cache.
  const read = raw.bodyUsed ? c.req.arrayBuffer() : raw.arrayBuffer();
  const buffer = await read;
  const cache = c.req.bodyCache as Record<string, Promise<unknown> | undefined>;
  cache['arrayBuffer'] ??= Promise.resolve(buffer);
  const type = raw.headers.get('content-type') ?? '';
  if (cache['text'] === undefined && (type.startsWith('text/') || /[/+]json\b/.test(type))) {
    cache['text'] = Promise.resolve(decoder.decode(buffer));
  }
  replaceRawLazily(c, raw, buffer);
  return new Uint8Array(buffer);
}

/** Builds the request core sees; `query` and `body` are computed only when core reads them. */
export function toIdempotencyRequest<E extends Env>(
  c: Context<E>,
  route: RouteOptions<Context<E>> | false | undefined,
): IdempotencyRequest<Context<E>> {
  // The request as it came: reading the body replaces `c.req.raw` with a lazily built copy, which these never touch.
  const raw = c.req.raw;
  const headers = raw.headers;
  return {
    method: c.req.method,
    path: c.req.path,
    get query() {
      const url = raw.url;
      const mark = url.indexOf('?');
      return mark < 0 ? '' : url.slice(mark + 1);
    },
    header: (name) => headers.get(name),
    body: () => readBody(c),
    route,
    context: c,
  };
}
