import { declaredLength, type IdempotencyRequest } from '@idempo/core/adapter';
import { canPeekBody, hasRequestBody, headerLines, headerSource, peekBody } from '@idempo/core/node';
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
  readonly raw?:
    | {
        readonly headers?: PlatformRequest['headers'];
        readonly headersDistinct?: Readonly<Record<string, readonly string[]>>;
        readonly httpVersionMajor?: number;
        /** Over HTTP/2, the request's stream. */
        readonly stream?: { readonly endAfterHeaders?: boolean | undefined } | undefined;
      }
    | undefined;
  /** Node.js (Express): the HTTP major version (Fastify: on `raw`). */
  readonly httpVersionMajor?: number | undefined;
  /** Node.js (Express): every field line of every header. */
  readonly headersDistinct?: Readonly<Record<string, readonly string[]>> | undefined;
  /** The bytes received, kept by Nest when the application is created with `{ rawBody: true }`. */
  readonly rawBody?: Uint8Array | undefined;
  /** The parsed body. */
  readonly body?: unknown;
}

const encoder = new TextEncoder();

/**
 * Whether the request carries a body: core's answer from its framing, on the Node request (Fastify: `raw`). Over
 * HTTP/2, a body framed by neither `Content-Length` nor `Transfer-Encoding` counts only under a `Content-Type`:
 * Fastify parses none without one and hands the handler no body, and a body-less POST whose client ends the stream
 * with an empty DATA frame looks the same until it is read, which over HTTP/2 cannot be undone.
 */
function hasBody(request: PlatformRequest): boolean {
  const { headers } = request;
  const node = request.raw ?? request;
  if (!hasRequestBody(headers, node)) return false;
  return (
    (node.httpVersionMajor ?? 1) < 2 ||
    headers['content-length'] !== undefined ||
    headers['content-type'] !== undefined
  );
}

/**
 * The raw body bytes, at most `maxBytes` of them (core answers 413 past that): `req.rawBody` (`{ rawBody: true }`);
 * else the stream itself when no parser read it and it can take its body back (an HTTP/1 upload the handler or
 * an interceptor such as `FileInterceptor` reads later: read up to `maxBytes` and put back for them); else a body a parser left as bytes
 * or text; else `undefined`: the bytes cannot be seen, and core fingerprints the parsed body (`parsedBody`) or
 * refuses a multipart one.
 */
export function readBody(
  request: PlatformRequest,
  maxBytes: number,
): Uint8Array | null | undefined | Promise<Uint8Array> {
  if (request.rawBody !== undefined) return request.rawBody;
  if (!hasBody(request)) return null;
  const stream = request.raw ?? request;
  // Only a stream that can take its body back (an HTTP/1 request nobody read): on Nest over Fastify with HTTP/2,
  // `request.raw` would give up its body to the read, and the handler or FileInterceptor would get none.
  if (canPeekBody(stream))
    return peekBody(stream, maxBytes, declaredLength(request.headers['content-length']));
  const body = request.body;
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return encoder.encode(body);
  return undefined;
}

/** Header `name` of `request`: every field line of a repeated one (Node joins them), from the Node request. */
function headerReader(request: PlatformRequest): IdempotencyRequest<PlatformRequest>['header'] {
  // The Node request itself: Express's `req` is one, Fastify's is `request.raw`.
  const source = headerSource(request.headers, request.raw ?? request);
  return (name) => headerLines(source, name);
}

/**
 * Builds core's request from the platform's: method and URL as received, headers (every field line of a
 * repeated header), the body (the bytes when they are at hand, else read only when core asks), the route's
 * options, and the platform request as context. One closure per request (the header reader), and one more when
 * the body has to be read: core calls what it needs of this object once per request.
 */
export function toIdempotencyRequest(
  request: PlatformRequest,
  route: RouteSetting,
): IdempotencyRequest<PlatformRequest> {
  const url = request.originalUrl ?? request.url ?? '/';
  const header = headerReader(request);
  if (request.rawBody !== undefined) {
    return { method: request.method, url, header, body: request.rawBody, route, context: request };
  }
  if (!hasBody(request)) {
    return { method: request.method, url, header, body: null, route, context: request };
  }
  return {
    method: request.method,
    url,
    header,
    body: readBodyOf(request),
    parsedBody: parsedBodyOf(request),
    route,
    context: request,
  };
}

function readBodyOf(request: PlatformRequest): (maxBytes: number) => ReturnType<typeof readBody> {
  return (maxBytes) => readBody(request, maxBytes);
}

function parsedBodyOf(request: PlatformRequest): () => unknown {
  return () => request.body;
}
