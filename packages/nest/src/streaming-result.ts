/**
 * Whether a handler's result is sent as a stream rather than serialised: a `StreamableFile`, a Node.js or web
 * stream, a web `Response`, or any other async iterable that is not a promise (what Nest 12 streams). Such a
 * body is never buffered nor stored: the key is released and the stream sent untouched.
 */
export function isStreamingResult(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<PropertyKey, unknown>;
  if (typeof candidate['getStream'] === 'function') return true; // StreamableFile, from any copy of @nestjs/common
  if (typeof candidate['pipe'] === 'function' || typeof candidate['getReader'] === 'function') return true;
  if (Object.prototype.toString.call(value) === '[object Response]') return true;
  return typeof candidate[Symbol.asyncIterator] === 'function' && typeof candidate['then'] !== 'function';
}
