/**
 * The request body no parser read: an upload the handler reads itself (`FileInterceptor`'s multer, a handler
 * taking `@Req()` and reading the stream, a Fastify content-type parser that leaves the payload). idempo reads it
 * first, at most `maxRequestBodyBytes` (core's `readBoundedBody`), to fingerprint exactly those bytes, then puts
 * them back into the stream, so that whoever reads it next gets every byte as if nobody had.
 */
import type { Readable } from 'node:stream';
import { RequestTooLargeError } from '@idempo/core';
import { readBoundedBody } from '@idempo/core/adapter';

/** The Node.js request stream (`IncomingMessage`): Express's request is one, a `FastifyRequest` holds it as `raw`. */
export interface RequestStream extends Readable {
  /** `IncomingMessage`: the whole message has been received (the stream's end is pushed). */
  readonly complete?: boolean;
}

/** Whether `value` is a Node.js request stream nobody has read from, paused or flowing, yet. */
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

/** The request ended before its body did: the client went away while sending it. */
function aborted(): Error {
  return new Error('the client closed the connection before the request body was received');
}

/**
 * Reads the whole body of `stream` (at most `maxBytes`; `declared` is its `Content-Length`) and puts it back, so
 * that the next reader gets it unchanged. Throws `RequestTooLargeError` past `maxBytes`; the stream is then
 * drained (the rest discarded as it arrives), since the request is answered 413 and its body never used.
 */
export async function peekBody(
  stream: RequestStream,
  maxBytes: number,
  declared: number | undefined,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let finished = false;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const onReadable = (): void => wake?.();
  const onError = (error: Error): void => {
    failure = error;
    wake?.();
  };
  const onClose = (): void => {
    failure ??= aborted();
    wake?.();
  };
  stream.on('readable', onReadable);
  stream.on('error', onError);
  stream.on('close', onClose);
  const detach = (): void => {
    stream.off('readable', onReadable);
    stream.off('error', onError);
    stream.off('close', onClose);
  };

  /**
   * Once the last byte is taken, the stream schedules its 'end' for the next tick unless something was put
   * back before: the chunks go back now, in the same synchronous step as the read that emptied it.
   */
  const putBackIfDone = (): boolean => {
    if (stream.complete !== true || stream.readableLength > 0) return false;
    for (let i = chunks.length - 1; i >= 0; i--) stream.unshift(chunks[i]);
    finished = true;
    detach();
    return true;
  };

  const source: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          if (finished) return { done: true, value: undefined };
          const chunk = stream.read() as Uint8Array | string | null;
          if (chunk !== null) {
            const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            chunks.push(bytes);
            putBackIfDone();
            return { done: false, value: bytes };
          }
          if (putBackIfDone()) return { done: true, value: undefined };
          if (failure) throw failure;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      },
    }),
  };

  try {
    return await readBoundedBody(source, maxBytes, declared);
  } catch (error) {
    detach();
    if (error instanceof RequestTooLargeError) stream.resume();
    throw error;
  }
}
