/**
 * A keyed request's body, read ahead of Fastify's content-type parser with core's `readBoundedBody`: at most
 * `maxRequestBodyBytes` of it (one chunk more at worst), so that the fingerprint covers the bytes the handler will
 * consume whoever reads them (the parser, a `request.body` stream, `request.raw`), and a body over the limit costs
 * at most the limit in memory.
 */
import type { Readable } from 'node:stream';
import { RequestTooLargeError } from '@idempo/core';
import { readBoundedBody, requestTooLarge } from '@idempo/core/adapter';
import { type Chunk, ChunkReader } from './chunk-reader.js';
import type { ReplaySource } from './replay-stream.js';

/** The body of one keyed request as idempo read it. */
export interface CapturedBody {
  /**
   * Core's body function: the bytes, `null` for an empty body, or `RequestTooLargeError` when the body is longer
   * than the limit it was read with.
   */
  readonly read: (maxBytes: number) => Uint8Array | null;
  /** Whether the body was longer than the limit (then only its beginning was read). */
  readonly overflow: boolean;
  /** What the body's consumers are served: what was read, then the rest of the stream. Call it once. */
  readonly replay: () => ReplaySource;
}

/**
 * Reads `stream` up to `maxBytes` (`declared`: the request's Content-Length, which when over the limit decides
 * without reading). On overflow the rest of the stream is left unread, for the replay to serve or for Node to
 * discard once a 413 is sent.
 */
export async function captureBody(
  stream: Readable,
  maxBytes: number,
  declared: number | undefined,
): Promise<CapturedBody> {
  const reader = new ChunkReader(stream);
  const chunks: Buffer[] = [];
  const recording: AsyncIterable<Chunk> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const result = await reader.next();
        if (!result.done)
          chunks.push(typeof result.value === 'string' ? Buffer.from(result.value) : result.value);
        return result;
      },
    }),
  };
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedBody(recording, maxBytes, declared);
  } catch (error) {
    if (!(error instanceof RequestTooLargeError)) throw error;
    return {
      read: (limit) => {
        throw requestTooLarge(limit, declared !== undefined && declared > limit ? declared : undefined);
      },
      overflow: true,
      replay: () => ({ head: chunks, rest: reader, stream }),
    };
  }
  const body = bytes.length === 0 ? null : bytes;
  return {
    read: () => body,
    overflow: false,
    replay: () => ({
      head: body === null ? [] : [Buffer.from(body.buffer, body.byteOffset, body.byteLength)],
      rest: undefined,
      stream,
    }),
  };
}
