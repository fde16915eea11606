import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectReplayOf } from './adapter-expectations.js';
import { bodyJsonOf } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';

const ORDER = { item: 'book', qty: 1 };

/** BEHAVIOUR G: keys belong to a principal, and expire. */
export function defineScopeCases(ctx: AdapterSuiteContext): void {
  it(
    'G41 the same key from two principals is two executions, never a cross-replay',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const alice = await client.send('POST', '/orders', { key, json: ORDER, principal: 'alice' });
      const bob = await client.send('POST', '/orders', { key, json: ORDER, principal: 'bob' });
      const anonymous = await client.send('POST', '/orders', { key, json: ORDER });
      for (const response of [alice, bob, anonymous]) {
        expect(response.status).toBe(201);
        expectNotReplayed(response);
      }
      expect(bodyJsonOf(alice)).toMatchObject({ principal: 'alice' });
      expect(bodyJsonOf(bob)).toMatchObject({ principal: 'bob' });
      expect(bodyJsonOf(anonymous)).toMatchObject({ principal: null });
      expect(await client.executions('POST /orders')).toBe(3);
      expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER, principal: 'alice' }), alice);
      expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER, principal: 'bob' }), bob);
      expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER }), anonymous);
      expect(await client.executions('POST /orders')).toBe(3);
    },
    ctx.timeout,
  );

  it(
    'G44 after the retention time the key executes anew',
    async () => {
      await ctx.withApp({ leaseMs: 100, ttlMs: ctx.delay(300) }, async (client) => {
        const key = quoted(ctx.key());
        const first = await client.send('POST', '/orders', { key, json: ORDER });
        expect(first.status).toBe(201);
        expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER }), first);
        await ctx.wait(600);
        const again = await client.send('POST', '/orders', { key, json: ORDER });
        expect(again.status).toBe(201);
        expectNotReplayed(again);
        expect(bodyJsonOf(again)).toMatchObject({ id: 2 });
        expect(await client.executions('POST /orders')).toBe(2);
      });
    },
    ctx.timeout,
  );
}
