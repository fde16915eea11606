import { expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { randomBytes } from './random.js';
import { expectCompleted, reserveNew } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/** Every byte value once, in order. */
function allByteValues(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}

/** Every byte value reversed, repeated `times` times. */
function reversedRepeated(times: number): Uint8Array {
  const once = allByteValues().reverse();
  const out = new Uint8Array(once.length * times);
  for (let i = 0; i < times; i++) out.set(once, i * once.length);
  return out;
}

/** Keys that a careless store would confuse: case, separators, hash tags, spaces, unicode. */
const TRICKY_SUFFIXES = [
  'abc',
  'ABC',
  'Abc',
  'a:b',
  'a|b',
  'a:b|c',
  'a|b:c',
  '{a}b',
  '{a}c',
  'a b',
  'a  b',
  'a\tb',
  'a%20b',
  'ключ',
  'clé',
  'cle\u0301',
  '鍵',
  '🔑',
  "a'b",
  'a"b',
  'a\\b',
  'a/b',
  'a*',
  'a?',
  'a[1]',
  '',
];

/** Responses come back exactly as written, and every key is its own record. */
export function defineDataCases(ctx: StoreSuiteContext): void {
  const long = () => ctx.ms(LONG_MS);

  async function roundTrip(label: string, response: Uint8Array): Promise<void> {
    const store = ctx.store();
    const key = ctx.key(label);
    const token = await reserveNew(store, key, 'fp-a', long(), long());
    // The buffer is handed over (the store contract): the store may keep it, so it is a copy nobody touches again.
    const written = response.slice();
    expect(await store.complete(key, token, written, long())).toBe(true);
    expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
  }

  it(
    'C15 binary fidelity: a response holding all 256 byte values round-trips byte for byte',
    async () => {
      await roundTrip('bytes-256', allByteValues());
      await roundTrip('bytes-reversed', reversedRepeated(64));
      await roundTrip('bytes-zero', new Uint8Array(4096));
      await roundTrip(
        'bytes-invalid-utf8',
        Uint8Array.of(0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xff, 0xfe, 0),
      );
    },
    ctx.timeout,
  );

  it(
    'C15 a 1 MiB random response round-trips byte for byte',
    () => roundTrip('mib', randomBytes(1024 * 1024)),
    ctx.timeout,
  );

  it('C15 an empty (0-byte) response round-trips', () => roundTrip('empty', new Uint8Array(0)), ctx.timeout);

  it(
    'E37 500 keys reserved and completed concurrently each replay their own bytes',
    async () => {
      const store = ctx.store();
      const keys = Array.from({ length: 500 }, (_, i) => ctx.key(`many-${i}`));
      const responses = keys.map((key, i) => utf8(`${i}:${key}`));
      const tokens = await Promise.all(
        keys.map((key, i) => reserveNew(store, key, `fp-${i}`, long(), long())),
      );
      const written = await Promise.all(
        keys.map((key, i) => store.complete(key, tokens[i] as string, responses[i] as Uint8Array, long())),
      );
      expect(written.every(Boolean), 'every complete should return true').toBe(true);
      const replays = await Promise.all(keys.map((key) => store.reserve(key, 'fp-other', long(), long())));
      for (const [i, replay] of replays.entries()) {
        expectCompleted(replay, `fp-${i}`, responses[i] as Uint8Array);
      }
    },
    ctx.timeout,
  );

  it(
    'A9 G43 keys that differ only by case or hold ":" "|" "{" spaces or unicode are distinct records',
    async () => {
      const store = ctx.store();
      const base = ctx.key('tricky');
      const keys = TRICKY_SUFFIXES.map((suffix) => `${base}${suffix}`);
      expect(new Set(keys).size).toBe(keys.length);
      const tokens: string[] = [];
      for (const [i, key] of keys.entries())
        tokens.push(await reserveNew(store, key, `fp-${i}`, long(), long()));
      for (const [i, key] of keys.entries()) {
        expect(await store.complete(key, tokens[i] as string, utf8(`response ${i}`), long())).toBe(true);
      }
      for (const [i, key] of keys.entries()) {
        expectCompleted(
          await store.reserve(key, 'fp-other', long(), long()),
          `fp-${i}`,
          utf8(`response ${i}`),
        );
      }
    },
    ctx.timeout,
  );
}
