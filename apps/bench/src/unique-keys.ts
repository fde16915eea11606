/** Unique keys for one workload: a random prefix and a counter, so no two operations share a key. */
import { randomBytes } from 'node:crypto';

/**
 * Returns `index -> key`, keys of `length` characters (default 43, the length of the storage keys core hands
 * to stores), distinct for distinct indexes and distinct from any other call's keys.
 */
export function uniqueKeys(length = 43): (index: number) => string {
  const counterWidth = 12;
  const prefix = randomBytes(length)
    .toString('base64url')
    .slice(0, length - counterWidth);
  return (index) => prefix + index.toString(36).padStart(counterWidth, '0');
}
