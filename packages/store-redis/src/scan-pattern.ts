/** The SCAN `MATCH` pattern of a key prefix: the prefix, glob-escaped, then `*`. */

/** `*`, `?`, `[`, `]` and `\`: the bytes Redis' glob (`stringmatchlen`) gives a meaning. */
const GLOB_BYTES: ReadonlySet<number> = new Set([0x2a, 0x3f, 0x5b, 0x5d, 0x5c]);
const BACKSLASH = 0x5c;
const STAR = 0x2a;

/**
 * The pattern that matches exactly the keys starting with `prefix` (bytes, or a string as UTF-8): every glob
 * byte of it preceded by `\`, then `*`. Multi-byte UTF-8 sequences hold no ASCII byte, so escaping byte by byte
 * is exact.
 */
export function scanPattern(prefix: Buffer | string): Buffer {
  const bytes = typeof prefix === 'string' ? Buffer.from(prefix, 'utf8') : prefix;
  const out: number[] = [];
  for (const byte of bytes) {
    if (GLOB_BYTES.has(byte)) out.push(BACKSLASH);
    out.push(byte);
  }
  out.push(STAR);
  return Buffer.from(out);
}
