/**
 * Step 1: a Web `Request` as core's `IdempotencyRequest`. Nothing is read until core asks for the body; then a
 * clone is read, up to the limit, and the handler gets the `Request` itself, whose body is still unread: the
 * same bytes (docs/behaviour.md I5), every body member working, the class kept (Next.js's `NextRequest`).
 */
import { declaredLength, type IdempotencyRequest, readBoundedBody } from '@idempo/core/adapter';
import type { WebContext } from './options.js';

/** Whether the request has a body, from its framing headers when they tell (HTTP/1.1 always does). */
export function hasBody(request: Request): boolean {
  const headers = request.headers;
  if (headers.has('transfer-encoding')) return true;
  const length = headers.get('content-length');
  if (length !== null) return length.trim() !== '0';
  return request.body !== null;
}

/** A body stream's chunks, for `readBoundedBody`: nothing is cancelled when it stops early. */
export function chunksOf(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    }),
  };
}

/**
 * The request body's bytes, at most `maxBytes` of them, read from a clone (a tee of the body: the handler's
 * branch holds what was read, and nothing more). Past the limit reading stops with `RequestTooLargeError` (core
 * answers 413) and the clone is cancelled; the rest of the upload is never read. `undefined` when the body was
 * already read before idempo (core then answers 500 `unreadable_body`, docs/behaviour.md J6).
 */
async function readBody(request: Request, maxBytes: number): Promise<Uint8Array | null | undefined> {
  if (!hasBody(request)) return null;
  if (request.bodyUsed || request.body?.locked === true) return undefined;
  const stream = request.clone().body;
  if (stream === null) return null;
  const declared = declaredBodyLength(request.headers);
  const reader = stream.getReader();
  try {
    return await readBoundedBody(chunksOf(reader), maxBytes, declared);
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
}

/** The body length the framing declares: Content-Length, unless Transfer-Encoding overrides it. */
export function declaredBodyLength(headers: Headers): number | undefined {
  return headers.has('transfer-encoding') ? undefined : declaredLength(headers.get('content-length'));
}

/** A parsed body that does not exist: a body read before idempo is refused by core (J6). */
const NOTHING_PARSED = (): undefined => undefined;

/** Builds the request core sees; the body is read only when core asks for it. */
export function toIdempotencyRequest<Rest extends readonly unknown[], Req extends Request>(
  context: WebContext<Rest, Req>,
): IdempotencyRequest<WebContext<Rest, Req>> {
  const request = context.request;
  const headers = request.headers;
  return {
    method: request.method,
    url: request.url,
    header: (name) => headers.get(name),
    body: (maxBytes) => readBody(request, maxBytes),
    parsedBody: NOTHING_PARSED,
    context,
  };
}
