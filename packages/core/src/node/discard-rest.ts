/** Discarding what is left of a request body read ahead (after a 413), without buffering it. */
import type { ReplaySource } from './replay-source.js';

/**
 * Lets what the replay of `source` has not served flow into nothing: what Node's HTTP server does with a request
 * body nobody read (it no longer does once idempo has read part of it), so that a 200 MB upload answered 413
 * costs the limit in memory and the connection can take its next request. Call it once the response is decided
 * (an over-limit body whose replay nobody reads).
 */
export function discardRest(source: ReplaySource): void {
  if (source.rest !== undefined && !source.stream.readableEnded) source.stream.resume();
}
