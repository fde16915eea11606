/**
 * Step 4: the handler's body, captured for the record as it goes to the client. Whether it is stored depends on
 * the response and its bytes only, never on when chunks arrive:
 *
 * - a response that declares itself a stream (`Transfer-Encoding: chunked` set by the handler, or
 *   `Content-Type: text/event-stream`) is passed on untouched, never read, and not stored;
 * - a declared `Content-Length` over the limit is passed on untouched, never read, and not stored;
 * - any other body is stored when it ends within the limit, and not stored once it passes it (the rest then
 *   flows through as it comes, and the key is released at once).
 *
 * At most `maxBytes` (plus one chunk) of a body is ever held, however long or endless it is. How the bytes are
 * sent is a separate matter: a body whose chunks are all at hand (`Response.json()`, a string, bytes: each read
 * is already settled) is stored, then sent as those bytes; one whose chunks come over time is forwarded as they come,
 * and its end is sent once the record is stored.
 *
 * As in `@idempo/hono` (the same rules for both Request -> Response adapters).
 */
import { concatBytes, declaredLength } from '@idempo/core/adapter';

/** Why a body is not stored. */
export type NotStored = 'stream' | 'too-large' | 'failed' | 'cancelled';

/** Where the captured body goes. Exactly one of the two is called, once. */
export interface BodySink {
  /** The whole body, within the limit. Awaited before the body (or its end) is sent. */
  complete(bytes: Uint8Array): Promise<void>;
  /**
   * The body is not stored: `stream` (declared, or chunks that are not bytes), `too-large`, `failed` (the stream
   * errored with `error`) or `cancelled` (the client went away while it was forwarded; `error` is the reason).
   */
  incomplete(reason: NotStored, error?: unknown): Promise<void>;
}

const encoder = new TextEncoder();
const PENDING = Symbol('pending');

/** Whether the response says it is a stream meant to reach the client as it is produced. */
export function declaresStream(headers: Headers): boolean {
  if (headers.has('transfer-encoding')) return true;
  const type = headers.get('content-type');
  return type !== null && /^\s*text\/event-stream\s*(;|$)/i.test(type);
}

/**
 * `read` when it has already settled (a few microtask turns, no timer), `PENDING` otherwise. It only chooses how
 * the bytes are sent (at once, or as they come), never whether they are stored.
 */
function atHand<T>(read: Promise<T>): Promise<T | typeof PENDING> {
  const later = Promise.resolve()
    .then(() => undefined)
    .then((): typeof PENDING => PENDING);
  return Promise.race([read, later]);
}

/** A chunk as bytes for the record; `undefined` for a chunk that is neither bytes nor text. */
function bytesOf(chunk: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  return typeof chunk === 'string' ? encoder.encode(chunk) : undefined;
}

/**
 * Captures `body` for `sink` and returns the body to send in its place: `body` itself when it is not read, the
 * bytes when they were all at hand, or a stream that yields the chunks already read, then the rest as it comes.
 */
export async function captureBody(
  body: ReadableStream<Uint8Array>,
  headers: Headers,
  maxBytes: number,
  sink: BodySink,
): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  if (declaresStream(headers)) {
    await sink.incomplete('stream');
    return body;
  }
  const declared = declaredLength(headers.get('content-length'));
  if (declared !== undefined && declared > maxBytes) {
    await sink.incomplete('too-large');
    return body;
  }

  const reader = (body as ReadableStream<unknown>).getReader();
  /** Chunks read and not yet sent, as they were read. */
  const unsent: unknown[] = [];
  /** The bytes read so far, for the record, while it may still be stored. */
  let kept: Uint8Array[] | undefined = [];
  let total = 0;
  let settled: Promise<void> | undefined;
  const giveUp = (reason: NotStored, error?: unknown): Promise<void> => {
    kept = undefined;
    settled ??= sink.incomplete(reason, error);
    return settled;
  };
  /** Keeps `chunk` for the record; gives up once the body cannot be stored. */
  const keep = (chunk: unknown): Promise<void> | undefined => {
    if (kept === undefined) return undefined;
    const bytes = bytesOf(chunk);
    if (bytes === undefined) return giveUp('stream');
    total += bytes.length;
    if (total > maxBytes) return giveUp('too-large');
    kept.push(bytes);
    return undefined;
  };
  /** The end of the body: stores it when it may be. Resolves with its bytes then, `undefined` otherwise. */
  const finish = async (): Promise<Uint8Array | undefined> => {
    if (kept === undefined || settled !== undefined) {
      await settled;
      return undefined;
    }
    const bytes = concatBytes(kept, total);
    settled = sink.complete(bytes);
    await settled;
    return bytes;
  };

  // At hand: read while every read has already settled.
  let pending: Promise<ReadableStreamReadResult<unknown>> | undefined;
  for (;;) {
    pending ??= reader.read();
    let result: ReadableStreamReadResult<unknown> | typeof PENDING;
    try {
      result = await atHand(pending);
    } catch (error) {
      await giveUp('failed', error);
      return forward(reader, unsent, undefined, giveUp, keep, finish);
    }
    if (result === PENDING) break;
    pending = undefined;
    if (result.done) return (await finish()) as Uint8Array;
    unsent.push(result.value);
    const gaveUp = keep(result.value);
    if (gaveUp !== undefined) {
      await gaveUp;
      return forward(reader, unsent, undefined, giveUp, keep, finish);
    }
  }
  // Over time: forwarded as it comes.
  return forward(reader, unsent, pending, giveUp, keep, finish);
}

/**
 * The body to send: the chunks already read, then the reader's, one per pull (nothing read ahead of the client).
 * Its end waits for `finish`. A client that goes away cancels the handler's stream, and the key is released: an
 * endless stream must learn that nobody listens.
 */
function forward(
  reader: ReadableStreamDefaultReader<unknown>,
  unsent: unknown[],
  pending: Promise<ReadableStreamReadResult<unknown>> | undefined,
  giveUp: (reason: NotStored, error?: unknown) => Promise<void>,
  keep: (chunk: unknown) => Promise<void> | undefined,
  finish: () => Promise<unknown>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (unsent.length > 0) return controller.enqueue(unsent.shift() as Uint8Array);
        let result: ReadableStreamReadResult<unknown>;
        try {
          result = await (pending ?? reader.read());
        } catch (error) {
          await giveUp('failed', error);
          throw error;
        } finally {
          pending = undefined;
        }
        if (result.done) {
          await finish();
          return controller.close();
        }
        await keep(result.value);
        controller.enqueue(result.value as Uint8Array);
      },
      async cancel(reason) {
        await giveUp('cancelled', reason);
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
