/** Step 1: a Hono request as core's `IdempotencyRequest`. Nothing is read until core asks for it. */
import type { RouteOptions } from '@idempo/core';
import { type IdempotencyRequest, readBoundedBody } from '@idempo/core/adapter';
import { chunksOf, declaredBodyLength, hasBody } from '@idempo/web/adapter';
import type { Context, Env } from 'hono';

const decoder = new TextDecoder();

/**
 * Keeps `raw` readable after its body was read: its body members become own properties that serve the same bytes
 * (each read gets its own copy). The request itself is kept, not copied: building a fetch Request costs more than
 * all the rest of a keyed request on @hono/node-server, and handlers read `c.req.url` and headers through it.
 */
function keepReadable(raw: Request, buffer: ArrayBuffer): void {
  const copy = () => buffer.slice(0);
  let stream: ReadableStream<Uint8Array> | undefined;
  const typed = () => {
    const type = raw.headers.get('content-type');
    return new Response(copy(), type === null ? {} : { headers: { 'content-type': type } });
  };
  const method = (value: () => unknown) => ({ value, configurable: true, writable: true });
  Object.defineProperties(raw, {
    bodyUsed: { get: () => stream?.locked === true, configurable: true },
    body: {
      get: () => {
        stream ??= new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(copy()));
            controller.close();
          },
        });
        return stream;
      },
      configurable: true,
    },
    arrayBuffer: method(async () => copy()),
    bytes: method(async () => new Uint8Array(copy())),
    text: method(async () => decoder.decode(buffer)),
    json: method(async () => JSON.parse(decoder.decode(buffer))),
    blob: method(() => typed().blob()),
    formData: method(() => typed().formData()),
    clone: method(
      () =>
        new Request(raw.url, { method: raw.method, headers: raw.headers, body: copy(), signal: raw.signal }),
    ),
  });
}

/** `bytes` as an ArrayBuffer of exactly its length (a chunk may be a view into a larger, pooled one). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  if (byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer) return buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

/**
 * The request body's bytes, at most `maxBytes` of them. With a Content-Length (and no Transfer-Encoding), the
 * HTTP framing ends the body there and core has already refused a declared length over the limit, so the body
 * is read at once (on @hono/node-server, straight from the socket, without building a fetch Request). Without one
 * (a chunked upload), the stream is read chunk by chunk and reading stops past the limit with
 * `RequestTooLargeError` (core answers 413; the rest is left to the server, which drains or closes it). Either
 * way the handler can still read the body in every way: Hono's body cache holds the bytes (and the text, for
 * JSON and text bodies), so `c.req.json()`, `text()`, `arrayBuffer()`, `formData()` and `parseBody()` read no
 * stream, and `c.req.raw`'s own body members serve the same bytes.
 */
async function readBody(c: Context, maxBytes: number): Promise<Uint8Array | null> {
  const raw = c.req.raw;
  // No framing header (e.g. HTTP/2): hasBody asks the request itself; on @hono/node-server that builds it.
  if (!hasBody(raw)) return null;
  const declared = declaredBodyLength(raw.headers);
  let buffer: ArrayBuffer;
  if (raw.bodyUsed) {
    // A body an earlier middleware read through Hono (`c.req.json()`...) comes from Hono's body cache, already
    // in memory; core measures it against the limit.
    buffer = await c.req.arrayBuffer();
  } else if (declared !== undefined && declared <= maxBytes) {
    buffer = await raw.arrayBuffer();
  } else {
    const stream = raw.body;
    if (stream === null) return null;
    buffer = ownBuffer(await readBoundedBody(chunksOf(stream.getReader()), maxBytes, declared));
  }
  const cache = c.req.bodyCache as Record<string, Promise<unknown> | undefined>;
  cache['arrayBuffer'] ??= Promise.resolve(buffer);
  const type = raw.headers.get('content-type') ?? '';
  if (cache['text'] === undefined && (type.startsWith('text/') || /[/+]json\b/.test(type))) {
    cache['text'] = Promise.resolve(decoder.decode(buffer));
  }
  keepReadable(raw, buffer);
  return new Uint8Array(buffer);
}

/** Builds the request core sees; `query` and `body` are computed only when core reads them. */
export function toIdempotencyRequest<E extends Env>(
  c: Context<E>,
  route: RouteOptions<Context<E>> | false | undefined,
): IdempotencyRequest<Context<E>> {
  const raw = c.req.raw;
  const headers = raw.headers;
  return {
    method: c.req.method,
    url: raw.url,
    header: (name) => headers.get(name),
    body: (maxBytes) => readBody(c, maxBytes),
    route,
    context: c,
  };
}
