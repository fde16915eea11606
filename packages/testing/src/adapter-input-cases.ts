/**
 * Bad input through the adapter, as property tests (fast-check, bounded runs): whatever an HTTP client can put
 * in the Idempotency-Key field, and whatever body comes with a valid key, the app never crashes and idempo never
 * answers 5xx. The expected validity of a key is computed with core's own parser on the value the server gets.
 */
import { parseIdempotencyKey } from '@idempo/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { expectNotReplayed, expectProblem, expectReplayOf } from './adapter-expectations.js';
import { header } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';
import type { AdapterResponse } from './adapter-types.js';

const ORDER = { item: 'book', qty: 1 };

/** Every visible ASCII character and the space: what any HTTP stack carries in a field value. */
const VISIBLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
/** The characters that break naive parsers, drawn more often. */
const AWKWARD = [' ', '"', ',', '\\', ';', '=', '(', ')', '<', '>', '@', '?', '{', '}', '[', ']', '/', ':'];
const TOKEN = [...'abcXYZ019-_.~!#$%&*+^`|:/='];

const visibleChar = fc.oneof(
  fc.constantFrom(...VISIBLE),
  fc.constantFrom(...AWKWARD),
  fc.constantFrom(...TOKEN),
);
const visibleText = (maxLength: number) => fc.string({ unit: visibleChar, minLength: 1, maxLength });

/** A field value as a client may send it: raw text, something quoted (escapes and params included), a token. */
const keyValue = fc.oneof(
  visibleText(40),
  visibleText(30).map((s) => `"${s}"`),
  fc.tuple(visibleText(20), visibleText(10)).map(([s, p]) => `"${s}";${p}`),
  fc
    .string({ unit: fc.constantFrom(...TOKEN), minLength: 1, maxLength: 40 })
    .map((s) => (/^[A-Za-z]/.test(s) ? s : `k${s}`)),
);

/** HTTP stacks drop or trim blank values; a value that is blank once trimmed is not sent at all. */
const notBlank = (value: string) => value.trim() !== '';

/** A value that no other line of the same request makes a valid sf-string when an HTTP stack joins them. */
const lineValue = keyValue.filter((v) => notBlank(v) && !v.includes('"'));

const expectsValid = (value: string): boolean => parseIdempotencyKey(value).ok;

/** What every key property asserts about one answer. */
function expectKeyOutcome(response: AdapterResponse, valid: boolean, sent: string): void {
  const label = `key ${JSON.stringify(sent.length > 80 ? `${sent.slice(0, 80)}...(${sent.length})` : sent)}`;
  expect(response.status, `${label}: never a 5xx`).toBeLessThan(500);
  if (valid) {
    expect(response.status, `${label} is valid: the handler answers`).toBe(201);
    expectNotReplayed(response);
  } else {
    expect(response.status, `${label} is invalid: 400`).toBe(400);
    expectProblem(response, 400);
  }
}

/** A JSON object the reference handlers and every framework's JSON parser accept as a body. */
const jsonBody = fc
  .dictionary(
    fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__' && k !== 'constructor' && k !== 'prototype'),
    fc.jsonValue({ maxDepth: 3 }),
    { maxKeys: 8 },
  )
  .filter((o) => !JSON.stringify(o).includes('__proto__') && !JSON.stringify(o).includes('"constructor"'));

/**
 * Sends one keyed POST /orders per drawn header value, each under a fresh principal (a value drawn twice is
 * another record, not a replay: G41), checks each answer against core's parser, and then that the handler ran
 * once per valid value and never for an invalid one. Returns how many values were sent.
 */
async function checkKeyValues(
  ctx: AdapterSuiteContext,
  values: fc.Arbitrary<string>,
  numRuns: number,
): Promise<number> {
  const client = ctx.client();
  let valid = 0;
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(values, async (value) => {
      runs++;
      const ok = expectsValid(value);
      if (ok) valid++;
      const response = await client.send('POST', '/orders', {
        key: value,
        json: ORDER,
        principal: ctx.key(),
      });
      expectKeyOutcome(response, ok, value);
    }),
    { numRuns },
  );
  expect(await client.executions('POST /orders'), 'one execution per valid key, none per invalid').toBe(
    valid,
  );
  return runs;
}

/** BEHAVIOUR A3/A4/A5/A7/H47 and C15 under random input: property tests with bounded runs. */
export function defineInputCases(ctx: AdapterSuiteContext): void {
  const timeout = ctx.timeout * 4;

  it(
    'A3 A4 H47 property: any visible-ASCII key value is a 400 problem+json when invalid, the handler answer when valid, never a 5xx',
    async () => {
      const runs = await checkKeyValues(ctx, keyValue.filter(notBlank), 80);
      expect(runs).toBeGreaterThanOrEqual(80);
    },
    timeout,
  );

  it(
    'A7 H47 property: long values (240 to 10,000 characters) are 400 past 255 characters, never a 5xx',
    async () => {
      const long = fc.oneof(
        fc
          .tuple(fc.integer({ min: 240, max: 10_000 }), fc.constantFrom('a', 'Z', '9', '-', '%'))
          .map(([n, c]) => `k${c.repeat(n - 1)}`),
        fc
          .tuple(fc.integer({ min: 240, max: 10_000 }), fc.constantFrom('a', ' ', '\\\\', '\\"', ',', ';'))
          .map(([n, c]) => `"${c.repeat(Math.ceil(n / c.length))}"`),
        fc.string({ unit: visibleChar, minLength: 256, maxLength: 3_000 }).filter(notBlank),
      );
      await checkKeyValues(ctx, long, 50);
    },
    timeout,
  );

  it(
    'A3 H47 property: non-ASCII keys are 400 (raw latin1 bytes); percent-encoded unicode is an ordinary key',
    async () => {
      const latin1 = fc.string({
        unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)),
        minLength: 1,
        maxLength: 8,
      });
      const unicode = fc.oneof(
        fc
          .tuple(
            visibleText(10).filter((s) => !s.includes('"') && !s.includes('\\')),
            latin1,
          )
          .map(([s, u]) => `"${s}${u}"`),
        fc
          .tuple(fc.string({ unit: fc.constantFrom(...TOKEN), minLength: 1, maxLength: 10 }), latin1)
          .map(([s, u]) => `k${s}${u}`),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => `k${encodeURIComponent(s)}`),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => `"${encodeURIComponent(s)}"`),
      );
      await checkKeyValues(ctx, unicode, 60);
    },
    timeout,
  );

  it(
    'A5 H47 property: two to four Idempotency-Key field lines are always a 400 problem+json, the handler never runs',
    async () => {
      const client = ctx.client();
      await fc.assert(
        fc.asyncProperty(fc.array(lineValue, { minLength: 2, maxLength: 4 }), async (lines) => {
          const response = await client.send('POST', '/orders', {
            key: lines,
            json: ORDER,
            principal: ctx.key(),
          });
          expect(response.status, `lines ${JSON.stringify(lines)}: never a 5xx`).toBeLessThan(500);
          expectProblem(response, 400);
        }),
        { numRuns: 50 },
      );
      expect(await client.executions('POST /orders')).toBe(0);
    },
    timeout,
  );

  it(
    'C15 H47 property: a random JSON body with a valid key gets the handler answer, and its retry replays it byte-identically',
    async () => {
      const client = ctx.client();
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(jsonBody, async (body) => {
          runs++;
          const key = ctx.key();
          const first = await client.send('POST', '/orders', { key, json: body });
          expect(first.status, `body ${JSON.stringify(body)}`).toBe(201);
          expectNotReplayed(first);
          expectReplayOf(await client.send('POST', '/orders', { key, json: body }), first);
        }),
        { numRuns: 50 },
      );
      expect(await client.executions('POST /orders'), 'one execution per key').toBe(runs);
    },
    timeout,
  );

  it(
    'C15 H47 property: random bytes with a valid key get the handler answer, and the retry replays it byte-identically',
    async () => {
      const client = ctx.client();
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4_096 }), async (bytes) => {
          runs++;
          const key = ctx.key();
          const first = await client.send('POST', '/uploads', { key, bytes });
          expect(first.status).toBe(200);
          expectNotReplayed(first);
          expect(Array.from(first.body)).toEqual(Array.from(bytes).reverse());
          const retry = await client.send('POST', '/uploads', { key, bytes });
          expectReplayOf(retry, first);
          expect(header(retry, 'content-type') ?? '').toMatch(/^application\/octet-stream/);
        }),
        { numRuns: 50 },
      );
      expect(await client.executions('POST /uploads'), 'one execution per key').toBe(runs);
    },
    timeout,
  );
}
