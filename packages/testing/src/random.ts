/** Randomness for the suites: unique key prefixes and test payloads. Web Crypto only, no `node:` import. */

const MAX_RANDOM_CHUNK = 65_536;

/**
 * `length` cryptographically random bytes. `crypto.getRandomValues` fills at most 64 KiB per call, so larger
 * buffers are filled in chunks.
 */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += MAX_RANDOM_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + MAX_RANDOM_CHUNK)));
  }
  return out;
}

/** A random lower-case hexadecimal string of `bytes * 2` characters. */
export function randomHex(bytes = 8): string {
  let out = '';
  for (const byte of randomBytes(bytes)) out += byte.toString(16).padStart(2, '0');
  return out;
}

/**
 * A prefix that makes every key a suite run uses unique to that run, so that the suites can run against a
 * shared Redis, PostgreSQL or MongoDB, in parallel with other runs, without cleaning up first.
 */
export function uniquePrefix(label: string): string {
  return `${label}:${Date.now().toString(36)}:${randomHex(6)}:`;
}
