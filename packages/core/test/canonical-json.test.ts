import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/canonical-json.js';

describe('canonicalJson', () => {
  it('D26 sorts members and drops whitespace, recursively', () => {
    expect(canonicalJson('{ "b": 1, "a": { "d": [1, {"y":2,"x":1}], "c": null } }')).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });

  it('keeps number literals as sent, so large amounts never collide', () => {
    expect(canonicalJson('{"amount":12345678901234567890}')).not.toBe(
      canonicalJson('{"amount":12345678901234567891}'),
    );
    expect(canonicalJson('[1.0]')).toBe('[1.0]');
    expect(canonicalJson('[-0.5e+10]')).toBe('[-0.5e+10]');
  });

  it('normalises string escapes', () => {
    expect(canonicalJson('"\\u0041\\n"')).toBe('"A\\n"');
    expect(canonicalJson('{"\\u0061":1}')).toBe('{"a":1}');
  });

  it('keeps duplicate members, in order', () => {
    expect(canonicalJson('{"a":1,"a":2}')).not.toBe(canonicalJson('{"a":2,"a":1}'));
  });

  it('returns undefined for anything that is not one JSON value', () => {
    for (const text of [
      '',
      '{',
      '{"a":1,}',
      '[1,]',
      '{"a" 1}',
      '"abc',
      'tru',
      '01',
      '1 2',
      '{a:1}',
      '"\u0001"',
      '[1}',
      '{"a":1]',
      '-',
      '{"a":1 "b":2}',
    ])
      expect(canonicalJson(text), text).toBeUndefined();
    expect(canonicalJson(`${'['.repeat(600)}${']'.repeat(600)}`)).toBeUndefined();
  });

  it('agrees with JSON.parse on the value, for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 1);
        const canonical = canonicalJson(text);
        expect(canonical).toBeDefined();
        expect(JSON.parse(canonical as string)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('is independent of member order and whitespace', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(JSON.stringify(obj))).toBe(canonicalJson(JSON.stringify(reversed, null, 2)));
      }),
    );
  });
});
