/** Reading a Node readable stream chunk by chunk without taking it over between reads. */
import type { Readable } from 'node:stream';

/** A chunk as a Node stream hands it over: a Buffer, or a string when the stream has an encoding. */
export type Chunk = Buffer | string;

/** The error of a stream destroyed before its end (a client that disconnects mid-upload). */
function prematureClose(): Error {
  return Object.assign(
    new Error('the request body ended before it was complete (the client disconnected?)'),
    {
      code: 'ERR_STREAM_PREMATURE_CLOSE',
      statusCode: 400,
    },
  );
}

/**
 * An async iterator over a paused stream's chunks. It listens to the stream only while a `next()` is pending,
 * so a reader that stops halfway leaves the stream as it found it: paused, with no listener of its own, still
 * readable by `pipe`, `resume` or `for await` (and discarded by Node's HTTP server once the response is sent).
 */
export class ChunkReader implements AsyncIterator<Chunk, undefined> {
  readonly #stream: Readable;

  constructor(stream: Readable) {
    this.#stream = stream;
  }

  next(): Promise<IteratorResult<Chunk, undefined>> {
    const stream = this.#stream;
    // What is buffered already is taken at once, without listening for it.
    const buffered = stream.readableEnded || stream.destroyed ? null : (stream.read() as Chunk | null);
    if (buffered !== null) return Promise.resolve({ done: false, value: buffered });
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
        stream.off('close', onClose);
      };
      const onReadable = () => {
        const chunk = stream.read() as Chunk | null;
        if (chunk === null) return; // the end is near: 'end' follows
        cleanup();
        resolve({ done: false, value: chunk });
      };
      const onEnd = () => {
        cleanup();
        resolve({ done: true, value: undefined });
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onClose = () => {
        cleanup();
        reject(prematureClose());
      };
      if (stream.readableEnded) return resolve({ done: true, value: undefined });
      if (stream.destroyed) return reject(stream.errored ?? prematureClose());
      stream.on('readable', onReadable);
      stream.on('end', onEnd);
      stream.on('error', onError);
      stream.on('close', onClose);
    });
  }
}
