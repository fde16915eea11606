/** The pure-JS SHA-256 (the digest where node:crypto is missing) against node:crypto, byte for byte. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64url, sha256, sha256Segments } from '../src/hash.js';
import { Sha256 } from '../src/sha256-js.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const node = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};
const js = (...parts: Uint8Array[]) => {
  const hash = new Sha256();
  for (const part of parts) hash.update(part);
  return hex(hash.digest());
};
const ascii = (text: string) => new TextEncoder().encode(text);

describe('Sha256 (pure JS)', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(js(ascii(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(js(ascii('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(js(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(base64url(new Sha256().update(ascii('abc')).digest())).toBe(
      'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0',
    );
  });

  it('agrees with node:crypto at every length around the block and padding boundaries', () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(js(bytes), `length ${length}`).toBe(node(bytes));
    }
  });

  it('agrees with node:crypto on 1 MiB, fed whole or in odd pieces', () => {
    const big = Uint8Array.from({ length: 1024 * 1024 + 7 }, (_, i) => (i * 2654435761) >>> 24);
    const pieces = [big.subarray(0, 1), big.subarray(1, 64), big.subarray(64, 1000), big.subarray(1000)];
    expect(js(big)).toBe(node(big));
    expect(js(...pieces)).toBe(node(big));
  });

  it('agrees with node:crypto on any bytes split anywhere', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(600), { maxLength: 6 }),
        (bytes, cuts) => {
          const at = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
          const parts: Uint8Array[] = [];
          let from = 0;
          for (const cut of [...at, bytes.length]) {
            parts.push(bytes.subarray(from, cut));
            from = cut;
          }
          expect(js(...parts)).toBe(node(bytes));
        },
      ),
    );
  });

  it("makes sha256 and sha256Segments give node:crypto's digests for any text (lone surrogates too) and bytes", () => {
    const text = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 80 })
      .map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(text, fc.option(fc.uint8Array({ maxLength: 200 }), { nil: undefined }), (t, bytes) => {
        expect(sha256(t, bytes, true)).toBe(sha256(t, bytes, false));
        const segments = bytes === undefined ? [t] : [t, bytes, t];
        expect(sha256Segments(segments, true)).toBe(sha256Segments(segments, false));
      }),
    );
  });
});
