import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectProblem, expectReplayOf } from './adapter-expectations.js';
import { bodyJsonOf } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';

const ORDER = { item: 'book', qty: 1 };

/** BEHAVIOUR F: which outcomes are stored. */
export function defineOutcomeCases(ctx: AdapterSuiteContext): void {
  it(
    'F38 a 500 returned by the handler is stored and replayed',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders?status=500', { key, json: ORDER });
      expect(first.status).toBe(500);
      expectReplayOf(await client.send('POST', '/orders?status=500', { key, json: ORDER }), first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'F39 a business 4xx returned by the handler is stored and replayed',
    async () => {
      const client = ctx.client();
      for (const path of ['/orders?status=404', '/orders?status=409']) {
        const key = quoted(ctx.key());
        const first = await client.send('POST', path, { key, json: ORDER });
        expect(first.status).toBe(Number(path.slice(-3)));
        expectReplayOf(await client.send('POST', path, { key, json: ORDER }), first);
      }
      const key = quoted(ctx.key());
      const invalid = await client.send('POST', '/orders', { key, json: [1, 2] });
      expect(invalid.status, 'the handler refuses a body that is not an object').toBe(400);
      expectReplayOf(await client.send('POST', '/orders', { key, json: [1, 2] }), invalid);
      expect(await client.executions('POST /orders')).toBe(3);
    },
    ctx.timeout,
  );

  it(
    'F40 the middleware never stores its own 409 or 422: after them the original 201 is replayed',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const path = `/orders?delay=${ctx.delay(300)}`;
      const pending = client.send('POST', path, { key, json: ORDER });
      await client.waitForExecutions('POST /orders', 1);
      expectProblem(await client.send('POST', path, { key, json: ORDER }), 409);
      const first = await pending;
      expect(first.status).toBe(201);
      expectProblem(await client.send('POST', path, { key, json: { other: true } }), 422);
      const replay = await client.send('POST', path, { key, json: ORDER });
      expectReplayOf(replay, first);
      expect(bodyJsonOf(replay)).toMatchObject({ id: 1 });
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'F40 the middleware never stores its own 400: a valid key after an invalid one runs normally',
    async () => {
      const client = ctx.client();
      const key = ctx.key();
      expectProblem(await client.send('POST', '/orders', { key: `"${key}`, json: ORDER }), 400);
      const first = await client.send('POST', '/orders', { key: quoted(key), json: ORDER });
      expect(first.status).toBe(201);
      expectNotReplayed(first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );
}
