/**
 * Reading a request body nobody read yet and putting it back into the same stream (`unshift`), for a consumer
 * that reads the request object itself and cannot be handed another one (Express's `req` read by multer or a
 * handler): it gets every byte as if nobody had read them.
 */
import type { Readable } from 'node:stream';
import { RequestTooLargeError } from '../errors.js';
import { readBoundedBody } from '../request-body.js';
import { ChunkReader } from './chunk-reader.js';

/** A Node request stream (`IncomingMessage`, or an object built on one). */
export interface RequestStream extends Readable {
  /** `IncomingMessage`: the whole message has been received (the stream's end is pushed). */
  readonly complete?: boolean;
}

/** Whether `value` is a Node readable stream nobody has read from, paused or flowing, yet. */
export function isUnreadStream(value: unknown): value is RequestStream {
  if (typeof value !== 'object' || value === null) return false;
  const stream = value as Partial<RequestStream>;
  return (
    typeof stream.read === 'function' &&
    typeof stream.unshift === 'function' &&
    stream.readableDidRead === false &&
    stream.readableFlowing !== true &&
    stream.readableEnded === false &&
    stream.destroyed === false
  );
}

/**
 * Reads the whole body of `stream` (at most `maxBytes`; `declared` is its `Content-Length`) and puts it back, so
 * that the next reader gets it unchanged. Throws `RequestTooLargeError` past `maxBytes`; the stream is then
 * drained (the rest discarded as it arrives), since the request is answered 413 and its body never used.
 * Rejects with the stream's error, or a premature-close error when the client goes away mid-body.
 */
export async function peekBody(
  stream: RequestStream,
  maxBytes: number,
  declared: number | undefined,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  // Once the last byte is taken, the stream schedules its 'end' for the next tick unless something was put back
  // before: the chunks go back now, in the same synchronous step as the read that emptied it.
  const reader = new ChunkReader(stream, {
    afterRead: (chunk) => {
      if (chunk !== null) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (stream.complete !== true || stream.readableLength > 0) return false;
      for (let i = chunks.length - 1; i >= 0; i--) stream.unshift(chunks[i]);
      return true;
    },
  });
  try {
    return await readBoundedBody({ [Symbol.asyncIterator]: () => reader }, maxBytes, declared);
  } catch (error) {
    if (error instanceof RequestTooLargeError) stream.resume();
    throw error;
  }
}
