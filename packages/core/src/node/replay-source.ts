/**
 * What a replay of a request body serves once idempo has read the body ahead of its consumers: the chunks it
 * read, then whatever it left unread in the source stream, with back-pressure.
 */
import type { Readable, ReadableOptions } from 'node:stream';
import type { Chunk } from './chunk-reader.js';

/** What a replay serves: `head`, then the chunks of `rest` (none when the body was read whole). */
export interface ReplaySource {
  /** The chunks already read, in order. Taken over: the replay empties the array as it serves them. */
  readonly head: Buffer[];
  /** The reader of the part of the body not read yet, or `undefined` when the body was read to its end. */
  readonly rest: AsyncIterator<Chunk, undefined> | undefined;
  /** The stream `rest` reads: destroyed with the replay if the replay is destroyed before its end. */
  readonly stream: Readable;
}

const toBuffer = (chunk: Chunk): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk);

/** The `read` and `destroy` of a readable stream replaying `source`. */
export function replayOptions(source: ReplaySource): ReadableOptions {
  const { head, rest, stream } = source;
  let ended = rest === undefined;
  let reading = false;
  return {
    read(this: Readable) {
      while (head.length > 0) {
        if (!this.push(head.shift())) return;
      }
      if (rest === undefined) {
        this.push(null);
        return;
      }
      if (reading) return;
      reading = true;
      rest.next().then(
        (result) => {
          reading = false;
          if (result.done) {
            ended = true;
            this.push(null);
          } else {
            this.push(toBuffer(result.value));
          }
        },
        (error: Error) => this.destroy(error),
      );
    },
    destroy(error, callback) {
      // A consumer that gives up early (or a failed source) ends the request body as destroying it would have.
      if (!ended) stream.destroy(error ?? undefined);
      callback(error);
    },
  };
}
