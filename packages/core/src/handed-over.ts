/**
 * Buffers handed over with their ownership. The engine encodes a record, passes it to the store's `complete` and
 * never reads or writes it again; a store that would otherwise copy what it is given (so that the caller cannot
 * change it later) may keep such a buffer as it is. The mark is weak: a buffer no store took is collected as
 * usual.
 */
const handedOver = new WeakSet<Uint8Array>();

/** Marks `buffer` as handed over by its only holder; returns it. */
export function handOver(buffer: Uint8Array): Uint8Array {
  handedOver.add(buffer);
  return buffer;
}

/** Whether `buffer` was handed over (and not taken yet); taking it clears the mark, so only one taker keeps it. */
export function takeOver(buffer: Uint8Array): boolean {
  return handedOver.delete(buffer);
}
