/**
 * Reading a request body nobody read yet and putting it back into the same stream (`unshift`), for a consumer
 * that reads the request object itself and cannot be handed another one (Express's `req` read by multer or a
 * handler): it gets every byte as if nobody had read them.
 */
import type { Readable } from 'node:stream';
import { concatBytes, requestTooLarge } from '../request-body.js';
import { prematureClose } from './chunk-reader.js';

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
 * Whether {@link peekBody} can read `value` and put its body back: a stream nobody has read
 * ({@link isUnreadStream}) that tells when its whole body has been received (`complete`, as an `IncomingMessage`
 * does). Without `complete` the body could only be read to its end, and an ended stream takes nothing back
 * (light-my-request's requests, a plain `PassThrough`): such a stream is read and replayed as a copy instead.
 *
 * HTTP/1 only. node:http's `IncomingMessage` sets `complete` as soon as its parser has the whole body, while that
 * body is still buffered, which is when it can be put back. node:http2's compatibility request
 * (`Http2ServerRequest`, Fastify's and Koa's `req` over HTTP/2) has a `complete` too, but sets it only once the
 * stream has ended: too late, and the body would be taken from the framework's parser, which then waits forever.
 */
export function canPeekBody(value: unknown): value is RequestStream {
  return (
    isUnreadStream(value) &&
    typeof value.complete === 'boolean' &&
    (value as { readonly httpVersionMajor?: unknown }).httpVersionMajor === 1
  );
}

/**
 * Reads the whole body of `stream` (at most `maxBytes`; `declared` is its `Content-Length`) and puts it back, so
 * that the next reader gets it unchanged. Throws `RequestTooLargeError` past `maxBytes`; the stream is then
 * drained (the rest discarded as it arrives), since the request is answered 413 and its body never used.
 * Rejects with the stream's error, or a premature-close error when the client goes away mid-body.
 *
 * One promise and one set of listeners per body (no async iterator): it runs on every keyed request.
 */
export function peekBody(
  stream: RequestStream,
  maxBytes: number,
  declared: number | undefined,
): Promise<Uint8Array> {
  if (declared !== undefined && declared > maxBytes) {
    stream.resume();
    return Promise.reject(requestTooLarge(maxBytes, declared));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let listening = false;
    const stop = () => {
      if (!listening) return;
      listening = false;
      stream.off('readable', take);
      stream.off('end', ended);
      stream.off('error', failed);
      stream.off('close', closed);
    };
    /** Takes what is buffered; true once the body is whole and put back (or over the limit). */
    function drain(): boolean {
      for (;;) {
        const chunk = stream.read() as Buffer | string | null;
        if (chunk !== null) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          total += bytes.length;
          if (total > maxBytes) {
            stop();
            stream.resume();
            reject(requestTooLarge(maxBytes));
            return true;
          }
          chunks.push(bytes);
        }
        // Once the last byte is taken, the stream schedules its 'end' for the next tick unless something was put
        // back before: the chunks go back now, in the same synchronous step as the read that emptied it.
        if (stream.complete === true && stream.readableLength === 0) {
          stop();
          for (let i = chunks.length - 1; i >= 0; i--) stream.unshift(chunks[i]);
          resolve(concatBytes(chunks, total));
          return true;
        }
        if (chunk === null) return false;
      }
    }
    function take(): void {
      drain();
    }
    function ended(): void {
      stop();
      resolve(concatBytes(chunks, total));
    }
    function failed(error: Error): void {
      stop();
      reject(error);
    }
    function closed(): void {
      stop();
      reject(prematureClose());
    }
    if (stream.readableEnded) return resolve(new Uint8Array(0));
    if (stream.destroyed) return reject(stream.errored ?? prematureClose());
    if (drain()) return;
    listening = true;
    stream.on('readable', take);
    stream.on('end', ended);
    stream.on('error', failed);
    stream.on('close', closed);
  });
}
