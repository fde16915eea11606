/** A request header as core wants it: its value, or each of its field lines when the client sent several. */

/** What {@link headerLines} reads of a Node request (`IncomingMessage`). */
export interface HeaderSource {
  /** Node's header object: the field lines of a repeated header joined with `", "` (Set-Cookie kept apart). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Every field line of every header (`IncomingMessage.headersDistinct`, computed when first read). */
  readonly headersDistinct?: Readonly<Record<string, readonly string[] | undefined>> | undefined;
}

/**
 * Header `name` (lower case) of `message`: `undefined` when absent, its value when it came as one field line,
 * every field line when it came as several (Node joins them with `", "`, which would hide, e.g., two
 * `Idempotency-Key` lines). `headersDistinct` is read only for a value holding a comma, so that the common case
 * costs one look-up.
 */
export function headerLines(message: HeaderSource, name: string): string | readonly string[] | undefined {
  const value = message.headers[name];
  if (typeof value !== 'string' || !value.includes(',')) return value;
  const lines = message.headersDistinct?.[name];
  return lines && lines.length > 1 ? lines : value;
}

/**
 * What {@link headerLines} should read for a framework request whose `headers` may be its own object rather than
 * the Node request's (Fastify's `request.headers` with added headers): the Node request itself when they are the
 * same object, else `headers` with the Node request's field lines. Never `headersDistinct` read up front: that
 * getter builds an object of every header, and `headerLines` needs it only for a value holding a comma.
 */
export function headerSource(headers: HeaderSource['headers'], node: Partial<HeaderSource>): HeaderSource {
  if (node.headers === headers) return node as HeaderSource;
  return {
    headers,
    get headersDistinct() {
      return node.headersDistinct;
    },
  };
}
