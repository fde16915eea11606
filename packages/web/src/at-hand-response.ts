/**
 * A body that is already in memory, read without building anything. @hono/node-server (which replaces the global
 * `Response` with its own) keeps a `new Response(text or bytes, init)` as `[status, body, headers]` under a
 * private symbol (`Symbol('cache')`) and writes that body to the socket as it is; a real `Response` (and a
 * ReadableStream for its body) is made only when something reads `body`, `text()`, `statusText`...: that costs
 * more than the rest of a keyed request. Any other `Response` has no such parts and is read as a stream.
 */

/** The symbol @hono/node-server's lightweight responses keep their parts under, once one was seen. */
let partsKey: symbol | undefined;

function isParts(value: unknown): value is [number, unknown, unknown] {
  return Array.isArray(value) && value.length === 3 && typeof value[0] === 'number';
}

function partsOf(res: Response): [number, unknown, unknown] | undefined {
  const own = res as unknown as Record<symbol, unknown>;
  if (partsKey !== undefined) {
    const parts = own[partsKey];
    if (isParts(parts)) return parts;
  }
  for (const symbol of Object.getOwnPropertySymbols(res)) {
    if (symbol.description !== 'cache') continue;
    const parts = own[symbol];
    if (!isParts(parts)) continue;
    partsKey = symbol;
    return parts;
  }
  return undefined;
}

/**
 * The body of `res` when it is a @hono/node-server response whose body is text, bytes or none, not yet made into
 * a real `Response` (it will be written as it is, a string as UTF-8); `undefined` for any other response.
 */
export function atHandBody(res: Response): string | Uint8Array | null | undefined {
  const parts = partsOf(res);
  if (parts === undefined) return undefined;
  const body = parts[1];
  return body === null || typeof body === 'string' || body instanceof Uint8Array ? body : undefined;
}
