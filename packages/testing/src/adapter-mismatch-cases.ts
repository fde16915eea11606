import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectProblem, expectReplayOf } from './adapter-expectations.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';
import { describeByteDifference } from './bytes.js';

const ORDER = { item: 'book', qty: 1 };
const OTHER = { item: 'book', qty: 2 };

/** BEHAVIOUR D: a key reused for another request is refused, and the original record survives. */
export function defineMismatchCases(ctx: AdapterSuiteContext): void {
  it(
    'D26 the same key with a different body is a 422 problem+json; the original still replays',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      expect(first.status).toBe(201);
      expectProblem(await client.send('POST', '/orders', { key, json: OTHER }), 422);
      expectProblem(await client.send('POST', '/orders', { key }), 422);
      expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER }), first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'D26 JSON member order and whitespace do not change the request: reordered JSON replays',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: { item: 'pen', qty: 3 } });
      expectReplayOf(await client.send('POST', '/orders', { key, json: { qty: 3, item: 'pen' } }), first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'D27 the same key on another path, route parameter or query is a 422',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      expect(first.status).toBe(201);
      expectProblem(await client.send('POST', '/payments', { key, json: ORDER }), 422);
      expectProblem(await client.send('POST', '/orders?note=x', { key, json: ORDER }), 422);
      expect(await client.executions('POST /payments')).toBe(0);
      const put = quoted(ctx.key());
      expect((await client.send('PUT', '/orders/a', { key: put, json: ORDER })).status).toBe(200);
      expectProblem(await client.send('PUT', '/orders/b', { key: put, json: ORDER }), 422);
      expect(await client.executions('PUT /orders/:id')).toBe(1);
      expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER }), first);
    },
    ctx.timeout,
  );

  it(
    'D29 a different body while the original is in flight is a 422, not a 409',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const path = `/orders?delay=${ctx.delay(400)}`;
      const pending = client.send('POST', path, { key, json: ORDER });
      await client.waitForExecutions('POST /orders', 1);
      expectProblem(await client.send('POST', path, { key, json: OTHER }), 422);
      const first = await pending;
      expect(first.status).toBe(201);
      expectNotReplayed(first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'D30 resending a rejected request is rejected again with 422',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      await client.send('POST', '/orders', { key, json: ORDER });
      for (let i = 0; i < 3; i++)
        expectProblem(await client.send('POST', '/orders', { key, json: OTHER }), 422);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'D31 the same body under a different key is a new execution',
    async () => {
      const client = ctx.client();
      const first = await client.send('POST', '/orders', { key: quoted(ctx.key()), json: ORDER });
      const second = await client.send('POST', '/orders', { key: quoted(ctx.key()), json: ORDER });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expectNotReplayed(second);
      expect(describeByteDifference(second.body, first.body), 'a new execution has a new body').toBeDefined();
      expect(await client.executions('POST /orders')).toBe(2);
    },
    ctx.timeout,
  );
}
