import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectProblem, expectReplayOf } from './adapter-expectations.js';
import { header } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';
import type { AdapterResponse } from './adapter-types.js';

const ORDER = { item: 'book', qty: 1 };

/** BEHAVIOUR E: duplicates in flight, and a handler that throws. */
export function defineConcurrencyCases(ctx: AdapterSuiteContext): void {
  it(
    'E32 N parallel duplicates: exactly one execution, every other one a 409 problem+json with Retry-After',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const path = `/orders?delay=${ctx.delay(400)}`;
      const responses = await Promise.all(
        Array.from({ length: ctx.parallel }, () => client.send('POST', path, { key, json: ORDER })),
      );
      // On a loaded machine a duplicate can reach a slow store after the first has finished: it then gets the
      // replay, which is still one execution. What may never happen is a second execution.
      const created = responses.filter(
        (r) => r.status === 201 && header(r, 'idempotent-replayed') === undefined,
      );
      const replays = responses.filter(
        (r) => r.status === 201 && header(r, 'idempotent-replayed') !== undefined,
      );
      const conflicts = responses.filter((r) => r.status !== 201);
      expect(created, 'exactly one request runs the handler').toHaveLength(1);
      expectNotReplayed(created[0] as AdapterResponse);
      for (const replay of replays) expectReplayOf(replay, created[0] as AdapterResponse);
      expect(conflicts).toHaveLength(ctx.parallel - 1 - replays.length);
      expect(conflicts.length, 'most duplicates arrive while the first runs').toBeGreaterThan(0);
      for (const conflict of conflicts) {
        expectProblem(conflict, 409);
        expect(header(conflict, 'retry-after')).toMatch(/^\d+$/);
      }
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'E33 a retry after a 409, once the original has finished, replays it',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const path = `/orders?delay=${ctx.delay(300)}`;
      const pending = client.send('POST', path, { key, json: ORDER });
      await client.waitForExecutions('POST /orders', 1);
      expectProblem(await client.send('POST', path, { key, json: ORDER }), 409);
      const first = await pending;
      expect(first.status).toBe(201);
      expectReplayOf(await client.send('POST', path, { key, json: ORDER }), first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'E34 a handler that throws releases the key: the retry runs the handler again',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders?throw=1', { key, json: ORDER });
      expect(first.status, 'the framework answers the error').toBeGreaterThanOrEqual(500);
      expectNotReplayed(first);
      const second = await client.send('POST', '/orders?throw=1', { key, json: ORDER });
      expect(second.status).toBeGreaterThanOrEqual(500);
      expectNotReplayed(second);
      expect(await client.executions('POST /orders')).toBe(2);
    },
    ctx.timeout,
  );

  it(
    'E34 after a throw nothing is left under the key: another request with it runs and is stored',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      expect(
        (await client.send('POST', '/orders?throw=1', { key, json: ORDER })).status,
      ).toBeGreaterThanOrEqual(500);
      const next = await client.send('POST', '/orders', { key, json: ORDER });
      expect(next.status, 'the released key is reserved anew (no record is left to mismatch)').toBe(201);
      expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER }), next);
      expect(await client.executions('POST /orders')).toBe(2);
    },
    ctx.timeout,
  );
}
