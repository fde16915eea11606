/**
 * One socket write per tick for an ioredis client: ioredis writes every command to its socket at once (one
 * `write` system call each), so the store corks the client's stream when it sends the first command of a tick
 * and uncorks it on `process.nextTick`, after the promise jobs of that tick: the commands sent meanwhile (by the
 * store or anyone else on the client) leave in one `writev`, in the order they were sent, and nothing waits past
 * the current tick. A Cluster has no stream of its own (`stream` is undefined): its commands are written as
 * ioredis writes them. What it measured: packages/store-redis/README.md, "Write batching".
 */

/** The part of a Node.js writable stream the batching uses. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/** An ioredis client, as far as the batching reads it: its current socket, if any. */
export interface StreamOwner {
  readonly stream?: unknown;
}

/** The streams corked for the current tick (a stream is replaced on each reconnect). */
const corked = new WeakSet<Corkable>();

function uncork(stream: Corkable): void {
  corked.delete(stream);
  stream.uncork();
}

function isCorkable(stream: unknown): stream is Corkable {
  return (
    typeof stream === 'object' &&
    stream !== null &&
    typeof (stream as Partial<Corkable>).cork === 'function' &&
    typeof (stream as Partial<Corkable>).uncork === 'function'
  );
}

/** Corks `client`'s socket until the end of the current tick, unless it already is (or it has none). */
export function batchWritesThisTick(client: StreamOwner): void {
  const stream = client.stream;
  if (!isCorkable(stream) || corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  process.nextTick(uncork, stream);
}
