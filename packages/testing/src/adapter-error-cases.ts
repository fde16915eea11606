import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectProblem } from './adapter-expectations.js';
import { header } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';
import type { AdapterResponse } from './adapter-types.js';
import { createFailingStore } from './failing-store.js';

const ORDER = { item: 'book', qty: 1 };

/** BEHAVIOUR H: how idempo's own errors look, and what happens when the store is down. */
export function defineErrorCases(ctx: AdapterSuiteContext): void {
  it(
    'H47 every rejection (400 invalid, 400 missing, 409, 422) is application/problem+json with type, title, status and detail',
    async () => {
      const client = ctx.client();
      const rejections: [AdapterResponse, number][] = [
        [await client.send('POST', '/orders', { key: '"unclosed', json: ORDER }), 400],
        [await client.send('POST', '/payments', { json: ORDER }), 400],
      ];
      const key = quoted(ctx.key());
      const path = `/orders?delay=${ctx.delay(300)}`;
      const pending = client.send('POST', path, { key, json: ORDER });
      await client.waitForExecutions('POST /orders', 1);
      rejections.push([await client.send('POST', path, { key, json: ORDER }), 409]);
      rejections.push([await client.send('POST', path, { key, json: { qty: 9 } }), 422]);
      await pending;
      for (const [response, status] of rejections) expectProblem(response, status);
    },
    ctx.timeout,
  );

  it(
    'H48 store down: a keyed request is a 503 problem+json and the handler does not run',
    async () => {
      await ctx.withApp({ store: createFailingStore() }, async (client) => {
        const response = await client.send('POST', '/orders', { key: quoted(ctx.key()), json: ORDER });
        expectProblem(response, 503);
        expect(header(response, 'retry-after')).toMatch(/^\d+$/);
        expect(await client.executions('POST /orders')).toBe(0);
        const unkeyed = await client.send('POST', '/orders', { json: ORDER });
        expect(unkeyed.status, 'a request without a key never touches the store').toBe(201);
      });
    },
    ctx.timeout,
  );

  it(
    'H48 store down with onStoreError "fail-open": the handler runs, unprotected',
    async () => {
      await ctx.withApp({ store: createFailingStore(), onStoreError: 'fail-open' }, async (client) => {
        const key = quoted(ctx.key());
        const first = await client.send('POST', '/orders', { key, json: ORDER });
        expect(first.status).toBe(201);
        const second = await client.send('POST', '/orders', { key, json: ORDER });
        expect(second.status).toBe(201);
        expect(await client.executions('POST /orders')).toBe(2);
      });
    },
    ctx.timeout,
  );
}
