import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectProblem, expectReplayOf } from './adapter-expectations.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';

const ORDER = { item: 'book', qty: 1 };

/** BEHAVIOUR A: the key header's name, syntax and limits. */
export function defineKeyCases(ctx: AdapterSuiteContext): void {
  it(
    'A1 the header name is case-insensitive',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, keyHeader: 'IDEMPOTENCY-KEY', json: ORDER });
      expect(first.status).toBe(201);
      expectReplayOf(
        await client.send('POST', '/orders', { key, keyHeader: 'idempotency-key', json: ORDER }),
        first,
      );
      expectReplayOf(
        await client.send('POST', '/orders', { key, keyHeader: 'Idempotency-Key', json: ORDER }),
        first,
      );
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'A2 surrounding whitespace and parameters are ignored: ` "k" ` and `"k";v=1` are the key k',
    async () => {
      const client = ctx.client();
      const key = ctx.key();
      const first = await client.send('POST', '/orders', { key: quoted(key), json: ORDER });
      expect(first.status).toBe(201);
      for (const variant of [` ${quoted(key)} `, `${quoted(key)};v=1`, `${quoted(key)};a=?1;b="x";c=2.5`]) {
        expectReplayOf(await client.send('POST', '/orders', { key: variant, json: ORDER }), first);
      }
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'A3 escapes are decoded (`"a\\"b"` is a"b); a bad escape, an unclosed quote, a control or non-ASCII character is 400',
    async () => {
      const client = ctx.client();
      const key = ctx.key();
      // On the wire: "<key>\"q\\b", the key <key>"q\b.
      const escaped = `"${key}\\"q\\\\b"`;
      const first = await client.send('POST', '/orders', { key: escaped, json: ORDER });
      expect(first.status).toBe(201);
      expectReplayOf(await client.send('POST', '/orders', { key: escaped, json: ORDER }), first);
      const other = await client.send('POST', '/orders', { key: quoted(`${key}q\\b`), json: ORDER });
      expect(other.status, 'without the quote it is another key').toBe(201);
      expectNotReplayed(other);
      for (const invalid of [`"${key}\\x"`, `"${key}`, `"${key}\tx"`, `"${key}caf\u00e9"`]) {
        expectProblem(await client.send('POST', '/orders', { key: invalid, json: ORDER }), 400);
      }
      expect(await client.executions('POST /orders')).toBe(2);
    },
    ctx.timeout,
  );

  it(
    'A4 an invalid key is a 400 problem+json, the handler runs 0 times and nothing is stored',
    async () => {
      const client = ctx.client();
      const invalid = `(${ctx.key()})`;
      expectProblem(await client.send('POST', '/orders', { key: invalid, json: ORDER }), 400);
      expectProblem(await client.send('POST', '/orders', { key: invalid, json: ORDER }), 400);
      expectProblem(await client.send('POST', '/payments', { key: invalid, json: ORDER }), 400);
      expect(await client.executions('POST /orders')).toBe(0);
      expect(await client.executions('POST /payments')).toBe(0);
    },
    ctx.timeout,
  );

  it(
    'A5 two Idempotency-Key field lines are a 400, even when they are equal',
    async () => {
      const client = ctx.client();
      const a = quoted(ctx.key());
      const b = quoted(ctx.key());
      expectProblem(await client.send('POST', '/orders', { key: [a, b], json: ORDER }), 400);
      expectProblem(await client.send('POST', '/orders', { key: [a, a], json: ORDER }), 400);
      expect(await client.executions('POST /orders')).toBe(0);
    },
    ctx.timeout,
  );

  it(
    'A6 an empty key is a 400',
    async () => {
      const client = ctx.client();
      expectProblem(await client.send('POST', '/orders', { key: '""', json: ORDER }), 400);
      expectProblem(await client.send('POST', '/orders', { key: '"";v=1', json: ORDER }), 400);
      expect(await client.executions('POST /orders')).toBe(0);
    },
    ctx.timeout,
  );

  it(
    'A7 a key of 256 characters is a 400; 255 characters are accepted',
    async () => {
      const client = ctx.client();
      const base = ctx.key();
      const longest = base + 'x'.repeat(255 - base.length);
      expectProblem(await client.send('POST', '/orders', { key: quoted(`${longest}y`), json: ORDER }), 400);
      expect(await client.executions('POST /orders')).toBe(0);
      const first = await client.send('POST', '/orders', { key: quoted(longest), json: ORDER });
      expect(first.status).toBe(201);
      expectReplayOf(await client.send('POST', '/orders', { key: quoted(longest), json: ORDER }), first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'A8 a bare (unquoted, Stripe-style) key is accepted and is the same key as its quoted form, a UUID starting with a digit included',
    async () => {
      const client = ctx.client();
      const key = ctx.key();
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      expect(first.status).toBe(201);
      expectReplayOf(await client.send('POST', '/orders', { key: quoted(key), json: ORDER }), first);
      const uuid = `1${globalThis.crypto.randomUUID().slice(1)}`;
      const second = await client.send('POST', '/orders', { key: uuid, json: ORDER });
      expect(second.status).toBe(201);
      expectReplayOf(await client.send('POST', '/orders', { key: uuid, json: ORDER }), second);
      expect(await client.executions('POST /orders')).toBe(2);
    },
    ctx.timeout,
  );

  it(
    'A9 keys are case-sensitive: "k" and "K" are two records',
    async () => {
      const client = ctx.client();
      const key = ctx.key();
      const lower = await client.send('POST', '/orders', { key: quoted(key), json: ORDER });
      const upper = await client.send('POST', '/orders', { key: quoted(key.toUpperCase()), json: ORDER });
      expect(lower.status).toBe(201);
      expect(upper.status).toBe(201);
      expectNotReplayed(upper);
      expect(await client.executions('POST /orders')).toBe(2);
    },
    ctx.timeout,
  );
}
