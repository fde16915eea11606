/**
 * The streams the body's consumers read once idempo has read the body ahead of them: the bytes it read, then
 * whatever it left unread in the source, with back-pressure. One is handed to Fastify's content-type parser, and
 * `request.raw` becomes one too, so that a parser calling `done(null)` or `done(null, payload)` and handlers
 * (or `@fastify/multipart`) reading `request.raw` get every byte.
 */
import type { IncomingMessage } from 'node:http';
import { Readable, type ReadableOptions } from 'node:stream';
import type { Chunk, ChunkReader } from './chunk-reader.js';

/** What a replay serves: `head`, then the chunks of `rest` (none when the body was read whole). */
export interface ReplaySource {
  /** The chunks already read, in order. Taken over: the replay empties the array as it serves them. */
  readonly head: Buffer[];
  /** The reader of the part of the body not read yet, or `undefined` when the body was read to its end. */
  readonly rest: ChunkReader | undefined;
  /** The stream `rest` reads: destroyed with the replay if the replay is destroyed before its end. */
  readonly stream: Readable;
}

const toBuffer = (chunk: Chunk): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk);

/** The `read` and `destroy` of a replay of `source`. */
function replayOptions(source: ReplaySource): ReadableOptions {
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

/**
 * A stream for the content-type parser when an earlier `preParsing` hook replaced the payload (e.g. a
 * decompressor): it reports that stream's `receivedEncodedLength`, so Fastify's length checks still hold.
 */
export function replayStream(source: ReplaySource): Readable {
  const replay = new Readable(replayOptions(source));
  const encoded = source.stream as Readable & { receivedEncodedLength?: number };
  Object.defineProperty(replay, 'receivedEncodedLength', { get: () => encoded.receivedEncodedLength ?? 0 });
  return replay;
}

/** `Readable` as the function it is, to initialise an existing object as a readable stream. */
const initReadable = Readable as unknown as (this: Readable, options: ReadableOptions) => void;

/**
 * The request `raw` made readable again: an object whose prototype is `raw` itself, so it is `raw` in every
 * respect (an `IncomingMessage`: headers, url, method, socket, `aborted`, `complete`, live) except that its
 * stream is a fresh one serving `source` from the start. This is how `IncomingMessage` initialises its own
 * stream (`Readable.call(this, options)`); `raw` itself, read to its end or partly, is left as it is.
 */
export function readableAgain(raw: IncomingMessage, source: ReplaySource): IncomingMessage {
  const replay = Object.create(raw) as IncomingMessage;
  initReadable.call(replay, replayOptions(source));
  // The stream's own destroy, whatever `raw`'s class made of it (light-my-request's skips a finished request,
  // which would leave the replay's 'close' unsent and `for await` waiting for it).
  replay.destroy = Readable.prototype.destroy as IncomingMessage['destroy'];
  return replay;
}

/**
 * Discards what the replay of `source` has not served, once the response is sent: what Node's HTTP server does
 * with a request body nobody read (it no longer does once idempo has read part of it), so that the connection
 * takes its next request.
 */
export function discardRest(source: ReplaySource): void {
  if (source.rest !== undefined && !source.stream.readableEnded) source.stream.resume();
}
