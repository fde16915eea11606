/**
 * A request no route matches (issue 15 item 7): in a rolling deploy the retry may reach an instance that has the
 * route, so the framework's 404 (or 405) must never be stored under the key, or replayed. Only a matched route's
 * own answer is stored.
 */
import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectReplayOf } from './adapter-expectations.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';

const ORDER = { item: 'book', qty: 1 };

/** Issue 15 item 7 (BEHAVIOUR F39, F40): nothing is stored for a request no route matches. */
export function defineRouteCases(ctx: AdapterSuiteContext): void {
  const noRoute = (method: string, path: string) => async () => {
    const client = ctx.client();
    const key = quoted(ctx.key());
    const first = await client.send(method, path, { key, json: ORDER });
    const second = await client.send(method, path, { key, json: ORDER });
    expect(first.status, 'the framework answers a path it has no route for, not 2xx').not.toBeLessThan(300);
    expect(second.status, 'the same framework answer both times').toBe(first.status);
    expectNotReplayed(first);
    expectNotReplayed(second);
    // Had the first answer been stored under the key, this would be a 422 (another method or path).
    const order = await client.send('POST', '/orders', { key, json: ORDER });
    expect(order.status, 'the key is free: nothing was stored under it').toBe(201);
    expectNotReplayed(order);
    expect(await client.executions('POST /orders')).toBe(1);
    expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER }), order);
    expect(await client.executions('POST /orders')).toBe(1);
  };

  it(
    'F39 F40 [15.7] POST to a path with no route: the framework answer twice, never replayed, and nothing stored under the key',
    noRoute('POST', '/no-such-route'),
    ctx.timeout,
  );

  it(
    'F39 F40 [15.7] PATCH (a covered method) on a path with no PATCH route: never stored, never replayed',
    noRoute('PATCH', '/orders'),
    ctx.timeout,
  );
}
