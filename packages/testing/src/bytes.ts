/** Byte comparisons that report the first difference instead of printing megabytes of diff. */

const encoder = new TextEncoder();

/** A string as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Where two byte sequences first differ: `undefined` when they are equal, otherwise a short description
 * (lengths, the first differing offset and the bytes there).
 */
export function describeByteDifference(actual: Uint8Array, expected: Uint8Array): string | undefined {
  const shared = Math.min(actual.length, expected.length);
  for (let i = 0; i < shared; i++) {
    if (actual[i] !== expected[i]) {
      return `bytes differ at offset ${i}: got 0x${hex(actual[i])}, expected 0x${hex(expected[i])} (lengths ${actual.length} and ${expected.length})`;
    }
  }
  if (actual.length !== expected.length) {
    return `lengths differ: got ${actual.length} bytes, expected ${expected.length} (equal up to offset ${shared})`;
  }
  return undefined;
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}

/**
 * Throws when `actual` is not a byte array holding exactly the bytes of `expected`. `what` names the value in
 * the message.
 */
export function assertSameBytes(actual: unknown, expected: Uint8Array, what: string): void {
  if (!isByteArray(actual)) {
    throw new Error(`${what}: expected a Uint8Array, got ${describeValue(actual)}`);
  }
  const difference = describeByteDifference(actual, expected);
  if (difference !== undefined) throw new Error(`${what}: ${difference}`);
}

/**
 * True for a `Uint8Array`, a Node `Buffer` included, from any realm (a store's driver may hand back buffers made
 * in another context, where `instanceof Uint8Array` is false).
 */
export function isByteArray(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'an object';
}
