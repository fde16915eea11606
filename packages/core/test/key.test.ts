import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIdempotencyKey, readKeyHeader } from '../src/key.js';

const ok = (value: string, strict = false) => {
  const r = parseIdempotencyKey(value, { strict });
  if (!r.ok) throw new Error(`expected ${JSON.stringify(value)} to parse, got: ${r.reason}`);
  return r.key;
};
const bad = (value: string, options: { strict?: boolean; maxLength?: number } = {}) => {
  const r = parseIdempotencyKey(value, options);
  expect(r.ok, `expected ${JSON.stringify(value)} to be invalid`).toBe(false);
  return r.ok ? '' : r.reason;
};

describe('parseIdempotencyKey', () => {
  it('A2 trims OWS and ignores parameters', () => {
    expect(ok(' "abc" ')).toBe('abc');
    expect(ok('\t"abc"\t')).toBe('abc');
    expect(ok('"abc";v=1')).toBe('abc');
    expect(ok('"abc"; v=1;w;x="y";z=?0;n=-1.5;b=:AQID:;t=tok/en')).toBe('abc');
  });

  it('A3 unescapes \\" and \\\\ and rejects other escapes, unclosed quotes, controls and non-ASCII', () => {
    expect(ok('"a\\"b"')).toBe('a"b');
    expect(ok('"a\\\\b"')).toBe('a\\b');
    expect(bad('"a\\x"')).toMatch(/backslash/);
    expect(bad('"abc')).toMatch(/not closed/);
    expect(bad('"a\u0001b"')).toMatch(/control/);
    expect(bad('"a\u00e9b"')).toMatch(/non-ASCII/);
    expect(bad('"a\u007fb"')).toMatch(/control/);
  });

  it('A5 rejects two keys joined by a comma (two field lines)', () => {
    expect(bad('"a", "b"')).toMatch(/more than one/);
    expect(bad('a, b')).toMatch(/more than one/);
    expect(readKeyHeader(['"a"', '"b"'])).toEqual({
      ok: false,
      reason: 'the request has more than one Idempotency-Key',
    });
  });

  it('A6 rejects an empty key', () => {
    expect(bad('""')).toMatch(/empty/);
    expect(bad('')).toMatch(/empty/);
    expect(bad('   ')).toMatch(/empty/);
  });

  it('A7 accepts 255 characters and rejects 256, configurable', () => {
    expect(ok(`"${'k'.repeat(255)}"`)).toHaveLength(255);
    expect(bad(`"${'k'.repeat(256)}"`)).toMatch(/longer than 255/);
    expect(bad('"abcdef"', { maxLength: 5 })).toMatch(/longer than 5/);
  });

  it('A8 accepts bare tokens, UUIDs starting with a digit and base64 unless strict', () => {
    expect(ok('abc')).toBe('abc');
    expect(ok('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(ok('YWJj+/=;v=1')).toBe('YWJj+/=');
    expect(bad('abc', { strict: true })).toMatch(/quoted/);
    expect(ok('"abc"', true)).toBe('abc');
    expect(bad('ab"c')).toMatch(/unexpected/);
    expect(bad('(abc)')).toMatch(/quoted string or a token/);
  });

  it('A9 keeps case', () => {
    expect(ok('"AbC"')).toBe('AbC');
    expect(ok('AbC')).not.toBe(ok('abc'));
  });

  it('rejects malformed parameters and trailing garbage', () => {
    for (const value of [
      '"a";',
      '"a";V=1',
      '"a";v=',
      '"a";v=1.2345',
      '"a";v=?2',
      '"a";v=:@@:',
      '"a";v=:abc',
      '"a" x',
      '"a";v="x',
      '"a";v=-',
      '"a";v=1.',
    ])
      bad(value);
  });

  it('readKeyHeader: absent values are not keys', () => {
    expect(readKeyHeader(undefined)).toBeUndefined();
    expect(readKeyHeader(null)).toBeUndefined();
    expect(readKeyHeader([])).toBeUndefined();
    expect(readKeyHeader(['"x"'])).toEqual({ ok: true, key: 'x' });
  });
});

describe('parseIdempotencyKey properties', () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 255,
  });
  const serialize = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

  it('A3 any printable ASCII string round-trips through sf-string serialisation', () => {
    fc.assert(
      fc.property(printable, fc.boolean(), (s, strict) => {
        expect(parseIdempotencyKey(serialize(s), { strict })).toEqual({ ok: true, key: s });
      }),
    );
  });

  it('A4 never throws, and every accepted key is 1-255 printable ASCII characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.boolean(), (s, strict) => {
        const r = parseIdempotencyKey(s, { strict });
        if (r.ok) {
          expect(r.key.length).toBeGreaterThan(0);
          expect(r.key.length).toBeLessThanOrEqual(255);
          expect(r.key).toMatch(/^[\x20-\x7e]+$/);
        } else expect(r.reason).toBeTypeOf('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('A5 two serialised keys joined as field lines are always rejected', () => {
    fc.assert(
      fc.property(printable, printable, (a, b) => {
        expect(parseIdempotencyKey(`${serialize(a)}, ${serialize(b)}`).ok).toBe(false);
        expect(parseIdempotencyKey(`${serialize(a)},${serialize(b)}`).ok).toBe(false);
      }),
    );
  });
});
