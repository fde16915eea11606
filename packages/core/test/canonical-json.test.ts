import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/canonical-json.js';
import { referenceCanonicalJson } from './canonical-json-reference.js';

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

  describe('gives the same text as the earlier parser (fingerprints must not change)', () => {
    const same = (text: string): void => {
      expect(canonicalJson(text), text).toBe(referenceCanonicalJson(text));
    };

    /** JSON text with random whitespace and, in strings, random escapes. */
    const noisyJson = fc.tuple(fc.jsonValue(), fc.infiniteStream(fc.nat(7))).map(([value, dice]) => {
      const pad = () => [' ', '', '\n', '\t', '', '\r\n', '', '  '][dice.next().value as number] as string;
      const str = (v: string) =>
        [...v]
          .map((ch) => {
            const roll = dice.next().value as number;
            if (roll === 0) return `\\u${(ch.codePointAt(0) as number).toString(16).padStart(4, '0')}`;
            if (roll === 1 && ch === '/') return '\\/';
            return JSON.stringify(ch).slice(1, -1);
          })
          .join('');
      const write = (v: unknown): string => {
        if (Array.isArray(v)) return `[${pad()}${v.map((x) => pad() + write(x) + pad()).join(',')}]`;
        if (v !== null && typeof v === 'object')
          return `{${pad()}${Object.entries(v)
            .map(([k, x]) => `${pad()}"${str(k)}"${pad()}:${pad()}${write(x)}${pad()}`)
            .join(',')}}`;
        if (typeof v === 'string') return `"${str(v)}"`;
        return JSON.stringify(v);
      };
      return pad() + write(value) + pad();
    });

    it('on valid JSON written in any way', () => {
      fc.assert(fc.property(noisyJson, same), { numRuns: 500 });
    });

    it('on broken JSON: one character dropped, doubled or replaced', () => {
      fc.assert(
        fc.property(
          noisyJson,
          fc.nat(),
          fc.constantFrom(...'{}[]",:0-.eE+ \\tfnu\u0001é'),
          (text, at, ch) => {
            const i = at % (text.length + 1);
            same(text.slice(0, i) + text.slice(i + 1));
            same(text.slice(0, i) + text.charAt(i) + text.slice(i));
            same(text.slice(0, i) + ch + text.slice(i + 1));
          },
        ),
        { numRuns: 500 },
      );
    });

    it('on any text, and on tricky literals', () => {
      fc.assert(fc.property(fc.string({ unit: 'binary' }), same), { numRuns: 500 });
      const numbers = [
        '0',
        '-0',
        '01',
        '-01',
        '1.',
        '1.e5',
        '1e',
        '1e+',
        '1E-0',
        '0.0e-0',
        '-',
        '--1',
        '1.5e+10',
      ];
      const words = ['true', 'false', 'null', 'tru', 'nul', 'falsey', 'True'];
      const strings = [
        '"\\u00"',
        '"\\x"',
        '"\\ud800"',
        '"\\"',
        '"a\\\\"',
        '"\u2028"',
        '"\ud800"',
        '"\u007f"',
      ];
      for (const atom of [...numbers, ...words, ...strings]) {
        same(atom);
        same(`[${atom}]`);
        same(`{"k":${atom}}`);
        same(`{${atom}:1}`);
        same(` ${atom} ,`);
      }
      same('{"b":1,"a":2,"b":0,"a":1}');
      // Many members (sorted another way than few), with duplicates, in every order.
      const names = Array.from({ length: 40 }, (_, i) => `k${(i * 7) % 23}`);
      same(`{${names.map((k, i) => `"${k}":${i}`).join(',')}}`);
      same(
        `{${[...names]
          .reverse()
          .map((k, i) => `"${k}":${i}`)
          .join(',')}}`,
      );
      same(
        `{${[...names]
          .sort()
          .map((k, i) => `"${k}":${i}`)
          .join(',')}}`,
      );
      same('{"\\u0062":1,"a":2,"b":3}');
      same(`${'['.repeat(512)}${']'.repeat(512)}`);
      same(`${'['.repeat(513)}${']'.repeat(513)}`);
      same(`${'{"a":'.repeat(513)}1${'}'.repeat(513)}`);
    });
  });
});

describe('canonicalJson over objects of any size, one after another', () => {
  const object = (names: readonly string[], value: (i: number) => string) =>
    `{${names.map((n, i) => `${JSON.stringify(n)}:${value(i)}`).join(',')}}`;

  it('D26 sorts small, large and very large objects, nested or not, as the reference does, call after call', () => {
    for (const size of [2, 17, 40, 1_500, 3]) {
      const names = Array.from({ length: size }, (_, i) => `k${(i * 7919) % size}`);
      const inner = object(names.slice(0, 5), (i) => `[${i},{"z":1,"a":${i}}]`);
      const texts = [
        object(names, (i) => String(i)),
        object(names, (i) => (i % 3 === 0 ? inner : `"v${i}"`)),
        `[${object(names, () => 'null')},${inner}]`,
      ];
      for (const text of texts) expect(canonicalJson(text)).toBe(referenceCanonicalJson(text));
    }
  });

  it('D26 a read that fails part-way leaves nothing behind for the next', () => {
    expect(canonicalJson('{"b":1,"a":{"d":2,"c":')).toBeUndefined();
    expect(canonicalJson('{"y":{"b":1,"a":2},"x":3}')).toBe('{"x":3,"y":{"a":2,"b":1}}');
  });
});
