/**
 * Whether a Node request carries a body, from its framing: the one answer every adapter on `node:http` or
 * `node:http2` gives, so that the same request is fingerprinted with its body on each of them.
 */

/** The request's header fields, by lower-case name (`IncomingMessage.headers`, or a framework's copy of them). */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What {@link hasRequestBody} reads of the Node request: `IncomingMessage` or node:http2's `Http2ServerRequest`. */
export interface FramedRequest {
  /** 1 for `IncomingMessage`, 2 for `Http2ServerRequest`. */
  readonly httpVersionMajor?: number | undefined;
  /** HTTP/2: the request's stream (`Http2ServerRequest.stream`). */
  readonly stream?: { readonly endAfterHeaders?: boolean | undefined } | undefined;
}

/**
 * Whether the request of these `headers`, received as `request` (the Node request: Fastify's `request.raw`),
 * carries a body (possibly empty on HTTP/2: the bytes then tell).
 *
 * - A `Transfer-Encoding` means a body (RFC 9112 §6.3: it overrides a `Content-Length`).
 * - Else a `Content-Length` decides when there is one: a body unless it is `0` (RFC 9110 §8.6).
 * - HTTP/1 without either has none (RFC 9112 §6.3).
 * - HTTP/2 (RFC 9113 §8.1): a body is DATA frames, sent with neither header. There is none when the request's
 *   HEADERS frame ended the stream (`Http2Stream.endAfterHeaders`, what a client does for a request without a
 *   body). A request whose stream is not known counts as having one: reading an ended stream gives no bytes,
 *   while taking a body for none would leave it out of the fingerprint.
 */
export function hasRequestBody(headers: RequestHeaders, request: FramedRequest): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  if (length !== undefined) return length !== '0';
  if ((request.httpVersionMajor ?? 1) < 2) return false;
  return request.stream?.endAfterHeaders !== true;
}
