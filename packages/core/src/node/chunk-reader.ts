/** Reading a Node readable stream chunk by chunk without taking it over between reads. */
import type { Readable } from 'node:stream';

/** A chunk as a Node stream hands it over: a Buffer, or a string when the stream has an encoding. */
export type Chunk = Buffer | string;

/**
 * The error of a stream destroyed before its end (a client that disconnects mid-upload): code
 * `ERR_STREAM_PREMATURE_CLOSE`, `statusCode` 400 (what a framework answers for it, if anyone is listening).
 */
export function prematureClose(): Error {
  return Object.assign(new Error('the client closed the connection before the request body was complete'), {
    code: 'ERR_STREAM_PREMATURE_CLOSE',
    statusCode: 400,
  });
}

/** Options of a {@link ChunkReader}. */
export interface ChunkReaderOptions {
  /**
   * Called synchronously after every `read()` of the stream, with what it returned (a chunk, or `null`), before
   * anything else can run: `true` stops the reading there (`next()` reports the end, after handing over the chunk
   * if there is one). What must happen before the stream emits `'end'` (putting chunks back) is done here.
   * Default: never stop before the stream's end.
   */
  readonly afterRead?: (chunk: Chunk | null) => boolean;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * An async iterator over a paused stream's chunks. It listens to the stream only while a `next()` is pending,
 * so a reader that stops halfway leaves the stream as it found it: paused, with no listener of its own, still
 * readable by `pipe`, `resume` or `for await` (and discarded by Node's HTTP server once the response is sent).
 */
export class ChunkReader implements AsyncIterator<Chunk, undefined> {
  readonly #stream: Readable;
  readonly #afterRead: ((chunk: Chunk | null) => boolean) | undefined;
  #stopped = false;

  constructor(stream: Readable, options: ChunkReaderOptions = {}) {
    this.#stream = stream;
    this.#afterRead = options.afterRead;
  }

  #read(): Chunk | null {
    const chunk = this.#stream.read() as Chunk | null;
    if (this.#afterRead?.(chunk)) this.#stopped = true;
    return chunk;
  }

  next(): Promise<IteratorResult<Chunk, undefined>> {
    if (this.#stopped) return Promise.resolve(DONE);
    const stream = this.#stream;
    // What is buffered already is taken at once, without listening for it.
    const buffered = stream.readableEnded || stream.destroyed ? null : this.#read();
    if (buffered !== null) return Promise.resolve({ done: false, value: buffered });
    if (this.#stopped) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
        stream.off('close', onClose);
      };
      const onReadable = () => {
        const chunk = this.#read();
        if (chunk === null && !this.#stopped) return; // the end is near: 'end' follows
        cleanup();
        resolve(chunk === null ? DONE : { done: false, value: chunk });
      };
      const onEnd = () => {
        cleanup();
        resolve(DONE);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onClose = () => {
        cleanup();
        reject(prematureClose());
      };
      if (stream.readableEnded) return resolve(DONE);
      if (stream.destroyed) return reject(stream.errored ?? prematureClose());
      stream.on('readable', onReadable);
      stream.on('end', onEnd);
      stream.on('error', onError);
      stream.on('close', onClose);
    });
  }
}
