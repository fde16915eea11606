import { declaredLength, type IdempotencyRequest } from '@idempo/core/adapter';
import { headerLines, isUnreadStream, peekBody } from '@idempo/core/node';
import type { RouteSetting } from './idempotency.routes.js';

type HeaderValue = string | readonly string[] | undefined;

/** What the interceptor reads of Express's `Request` or of a `FastifyRequest`. */
export interface PlatformRequest {
  readonly method: string;
  /** Express: the URL as received, with its query (`req.url` may have been rewritten by a router). */
  readonly originalUrl?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** Fastify: the Node.js request (its stream, when no parser read the body). */
  readonly raw?: { readonly headersDistinct?: Readonly<Record<string, readonly string[]>> } | undefined;
  /** Node.js (Express): every field line of every header. */
  readonly headersDistinct?: Readonly<Record<string, readonly string[]>> | undefined;
  /** The bytes received, kept by Nest when the application is created with `{ rawBody: true }`. */
  readonly rawBody?: Uint8Array | undefined;
  /** The parsed body. */
  readonly body?: unknown;
}

const encoder = new TextEncoder();

/** Whether the request carries a body, from its framing headers (what body parsers check). */
function hasBody(headers: PlatformRequest['headers']): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * The raw body bytes, at most `maxBytes` of them (core answers 413 past that): `req.rawBody` (`{ rawBody: true }`);
 * else the stream itself when no parser read it (an upload the handler or an interceptor such as
 * `FileInterceptor` reads later: read up to `maxBytes` and put back for them); else a body a parser left as bytes
 * or text; else `undefined`: the bytes cannot be seen, and core fingerprints the parsed body (`parsedBody`) or
 * refuses a multipart one.
 */
export function readBody(
  request: PlatformRequest,
  maxBytes: number,
): Uint8Array | null | undefined | Promise<Uint8Array> {
  if (request.rawBody !== undefined) return request.rawBody;
  if (!hasBody(request.headers)) return null;
  const stream = request.raw ?? request;
  if (isUnreadStream(stream))
    return peekBody(stream, maxBytes, declaredLength(request.headers['content-length']));
  const body = request.body;
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return encoder.encode(body);
  return undefined;
}

/**
 * Builds core's request from the platform's: method and URL as received, headers (every field line of a
 * repeated one), the body read only when core asks, the route's options, and the platform request as context.
 */
export function toIdempotencyRequest(
  request: PlatformRequest,
  route: RouteSetting,
): IdempotencyRequest<PlatformRequest> {
  const headers = request.headers;
  return {
    method: request.method,
    url: request.originalUrl ?? request.url ?? '/',
    // Every field line of a repeated header (Node joins them): the Node request's, under Fastify its `raw`.
    header: (name) =>
      headerLines({ headers, headersDistinct: (request.raw ?? request).headersDistinct }, name),
    body: (maxBytes) => readBody(request, maxBytes),
    parsedBody: () => request.body,
    route,
    context: request,
  };
}
