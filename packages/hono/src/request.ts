/** Step 1: a Hono request as core's `IdempotencyRequest`. Nothing is read until core asks for it. */
import type { RouteOptions } from '@idempo/core';
import { type IdempotencyRequest, readBoundedBody } from '@idempo/core/adapter';
import { chunksOf, declaredBodyLength, hasBody } from '@idempo/web/adapter';
import type { Context, Env } from 'hono';

const decoder = new TextDecoder();

/** What a request whose body idempo read keeps of it: the bytes, and the stream made of them once asked for. */
interface Kept {
  readonly buffer: ArrayBuffer;
  stream: ReadableStream<Uint8Array> | undefined;
}

const KEPT = Symbol('idempo.keptBody');
type Keeping = Request & { [KEPT]: Kept };

const copy = (request: Request): ArrayBuffer => (request as Keeping)[KEPT].buffer.slice(0);
const typed = (request: Request): Response => {
  const type = request.headers.get('content-type');
  return new Response(copy(request), type === null ? {} : { headers: { 'content-type': type } });
};
const method = (value: (this: Keeping) => unknown): PropertyDescriptor => ({
  value,
  configurable: true,
  writable: true,
});

/** The body members of a request idempo read, serving the kept bytes (each read gets its own copy). */
const MEMBERS: PropertyDescriptorMap = {
  bodyUsed: {
    get(this: Keeping) {
      return this[KEPT].stream?.locked === true;
    },
    configurable: true,
  },
  body: {
    get(this: Keeping) {
      const kept = this[KEPT];
      kept.stream ??= new ReadableStream<Uint8Array>({
        start: (controller) => {
          controller.enqueue(new Uint8Array(kept.buffer.slice(0)));
          controller.close();
        },
      });
      return kept.stream;
    },
    configurable: true,
  },
  arrayBuffer: method(async function (this: Keeping) {
    return copy(this);
  }),
  bytes: method(async function (this: Keeping) {
    return new Uint8Array(copy(this));
  }),
  text: method(async function (this: Keeping) {
    return decoder.decode(this[KEPT].buffer);
  }),
  json: method(async function (this: Keeping) {
    return JSON.parse(decoder.decode(this[KEPT].buffer));
  }),
  blob: method(function (this: Keeping) {
    return typed(this).blob();
  }),
  formData: method(function (this: Keeping) {
    return typed(this).formData();
  }),
  clone: method(function (this: Keeping) {
    return new Request(this.url, {
      method: this.method,
      headers: this.headers,
      body: copy(this),
      signal: this.signal,
    });
  }),
};

/** For each prototype of a request seen, the prototype of a readable one: it, under {@link MEMBERS}. */
const readableOf = new WeakMap<object, object>();

/**
 * Keeps `raw` readable after its body was read: its prototype becomes one whose body members serve the same
 * bytes (each read gets its own copy), made once per prototype; everything else is the request's own. The request
 * itself is kept, not copied: building a fetch Request costs more than all the rest of a keyed request on
 * @hono/node-server, and handlers read `c.req.url` and headers through it. (Defining the members on each request
 * instead costs about as much as the rest of the read.)
 */
function keepReadable(raw: Request, buffer: ArrayBuffer): void {
  (raw as Keeping)[KEPT] = { buffer, stream: undefined };
  const proto = Object.getPrototypeOf(raw) as object;
  let readable = readableOf.get(proto);
  if (readable === undefined) {
    readable = Object.create(proto, MEMBERS) as object;
    readableOf.set(proto, readable);
    readableOf.set(readable, readable);
  }
  if (readable !== proto) Object.setPrototypeOf(raw, readable);
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
