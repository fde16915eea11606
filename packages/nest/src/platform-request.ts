import type { IdempotencyRequest } from '@idempo/core';
import type { RouteSetting } from './idempotency.routes.js';

type HeaderValue = string | readonly string[] | undefined;

/** What the interceptor reads of Express's `Request` or of a `FastifyRequest`. */
export interface PlatformRequest {
  readonly method: string;
  /** Express: the URL as received, with its query (`req.url` may have been rewritten by a router). */
  readonly originalUrl?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** Fastify: the Node.js request. */
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
 * The raw body bytes: `req.rawBody` (`{ rawBody: true }`), else a body a parser left as bytes or text, else the
 * parsed body serialised as JSON (`onParsedBody` is told, once per request that needs it).
 */
export function readBody(request: PlatformRequest, onParsedBody: () => void): Uint8Array | null {
  if (request.rawBody !== undefined) return request.rawBody;
  const body = request.body;
  if (body === undefined || body === null || !hasBody(request.headers)) return null;
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return encoder.encode(body);
  onParsedBody();
  return encoder.encode(JSON.stringify(body));
}

/**
 * Builds core's request from the platform's: method, path and query as received, headers (every field line of
 * a repeated one), the body read only when core asks, the route's options, and the platform request as context.
 */
export function toIdempotencyRequest(
  request: PlatformRequest,
  route: RouteSetting,
  onParsedBody: () => void,
): IdempotencyRequest<PlatformRequest> {
  const url = request.originalUrl ?? request.url ?? '/';
  const mark = url.indexOf('?');
  const headers = request.headers;
  return {
    method: request.method,
    path: mark < 0 ? url : url.slice(0, mark),
    query: mark < 0 ? '' : url.slice(mark + 1),
    header: (name) => {
      const value = headers[name];
      // Node.js joins repeated field lines with ", ": look at them one by one only then.
      if (typeof value !== 'string' || !value.includes(',')) return value;
      const lines = (request.raw ?? request).headersDistinct?.[name];
      return lines && lines.length > 1 ? lines : value;
    },
    body: () => readBody(request, onParsedBody),
    route,
    context: request,
  };
}
