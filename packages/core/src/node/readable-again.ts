/** A Node request whose body was read ahead, made readable again from its start. */
import type { IncomingMessage } from 'node:http';
import { Readable, type ReadableOptions } from 'node:stream';
import { type ReplaySource, replayOptions } from './replay-source.js';

/** `Readable` as the function it is, to initialise an existing object as a readable stream. */
const initReadable = Readable as unknown as (this: Readable, options: ReadableOptions) => void;

/** Where a replay of a request keeps the request it replays. */
const RAW = Symbol('@idempo/core/node raw request');

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
  const to = replay as unknown as Record<PropertyKey, unknown>;
  // RAW first: the live properties' setters write through it while `raw` is copied.
  to[RAW] = raw;
  // Every own property of `raw` in one builtin call (a keyed copy loop ran megamorphic: ~2 us more per request,
  // docs/benchmarks.md "Where a keyed request's time goes"); `aborted` and `complete` go through the live
  // setters to `raw` itself. Then the stream's and the event emitter's own state are made the replay's: the
  // emitter's is reset only when `_events` is not an own object, so it is cleared first.
  Object.assign(replay, raw);
  to['_events'] = undefined;
  initReadable.call(replay, replayOptions(source));
  // The stream's own destroy, whatever `raw`'s class made of it (light-my-request's skips a finished request,
  // which would leave the replay's 'close' unsent and `for await` waiting for it).
  replay.destroy = Readable.prototype.destroy as IncomingMessage['destroy'];
  return replay;
}
