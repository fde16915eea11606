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

/** Where a replay of a request keeps the request it replays. */
const RAW = Symbol('@idempo/fastify raw request');

/** What may change on `raw` after its body was read (a client that disconnects): read from it, live. */
const LIVE = ['aborted', 'complete'] as const;

/** Per request class, the prototype of its replays: the class's, with the live properties read from `raw`. */
const prototypes = new WeakMap<object, object>();

function replayPrototype(classPrototype: object): object {
  let prototype = prototypes.get(classPrototype);
  if (prototype === undefined) {
    prototype = Object.create(classPrototype) as object;
    for (const key of LIVE) {
      Object.defineProperty(prototype, key, {
        get(this: { [RAW]: IncomingMessage }) {
          return this[RAW][key];
        },
        set(this: { [RAW]: IncomingMessage }, value: boolean) {
          this[RAW][key] = value;
        },
      });
    }
    prototypes.set(classPrototype, prototype);
  }
  return prototype;
}

/**
 * The request `raw` made readable again: a new object of `raw`'s own class (an `IncomingMessage`, or
 * light-my-request's) with `raw`'s properties (headers, url, method, socket...; `aborted` and `complete` read
 * from `raw` live) whose stream is a fresh one serving `source` from the start, initialised the way
 * `IncomingMessage` initialises its own (`Readable.call(this, options)`). `raw` itself is left as it is. (Not an
 * object inheriting from `raw`: making each request a prototype costs V8 tens of microseconds.)
 */
export function readableAgain(raw: IncomingMessage, source: ReplaySource): IncomingMessage {
  const replay = Object.create(replayPrototype(Object.getPrototypeOf(raw) as object)) as IncomingMessage;
  initReadable.call(replay, replayOptions(source));
  const from = raw as unknown as Record<PropertyKey, unknown>;
  const to = replay as unknown as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(raw)) {
    // The stream's and the event emitter's own state are the replay's; the live properties come from raw.
    if (Object.hasOwn(replay, key) || key === 'aborted' || key === 'complete') continue;
    to[key] = from[key];
  }
  to[RAW] = raw;
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
