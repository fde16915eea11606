import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { header } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';

const ORDER = { item: 'book', qty: 1 };
const decoder = new TextDecoder();

/**
 * BEHAVIOUR J: what core decides once and every adapter must show the same way (issue 16): a thrown HTTP error,
 * route options under an application that turned idempo off. (J5, two key lines, is A5 in the key cases.)
 */
export function definePolicyCases(ctx: AdapterSuiteContext): void {
  it(
    "J3 a thrown HTTP error releases the key by default: the framework's 402 is sent, the retry runs again",
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const before = await client.executions('POST /orders');
      const first = await client.send('POST', '/orders?throw=http', { key, json: ORDER });
      expect(first.status).toBe(402);
      expect(decoder.decode(first.body)).toContain('payment declined');
      const second = await client.send('POST', '/orders?throw=http', { key, json: ORDER });
      expect(second.status).toBe(402);
      expect(header(second, 'idempotent-replayed')).toBeUndefined();
      expect((await client.executions('POST /orders')) - before).toBe(2);
    },
    ctx.timeout,
  );

  it(
    "J3 with onHandlerError 'store' the framework's answer to a thrown HTTP error is stored and replayed byte for byte; a 500 still releases",
    async () => {
      await ctx.withApp({ onHandlerError: 'store' }, async (client) => {
        const key = quoted(ctx.key());
        const first = await client.send('POST', '/orders?throw=http', { key, json: ORDER });
        expect(first.status).toBe(402);
        const second = await client.send('POST', '/orders?throw=http', { key, json: ORDER });
        expect(second.status).toBe(402);
        expect(header(second, 'idempotent-replayed')).toBe('true');
        expect(decoder.decode(second.body)).toBe(decoder.decode(first.body));
        expect(await client.executions('POST /orders')).toBe(1);
        const crash = quoted(ctx.key());
        expect((await client.send('POST', '/orders?throw=1', { key: crash, json: ORDER })).status).toBe(500);
        const again = await client.send('POST', '/orders?throw=1', { key: crash, json: ORDER });
        expect(again.status).toBe(500);
        expect(header(again, 'idempotent-replayed')).toBeUndefined();
        expect(await client.executions('POST /orders')).toBe(3);
      });
    },
    ctx.timeout,
  );

  it(
    'J4 enabled: false for the application keeps a route with options of its own (POST /payments, required) off',
    async () => {
      await ctx.withApp({ enabled: false }, async (client) => {
        const unkeyed = await client.send('POST', '/payments', { json: ORDER });
        expect(unkeyed.status, 'the route requires a key only while idempo is on').toBe(201);
        const key = quoted(ctx.key());
        const first = await client.send('POST', '/payments', { key, json: ORDER });
        const second = await client.send('POST', '/payments', { key, json: ORDER });
        expect([first.status, second.status]).toEqual([201, 201]);
        expect(header(second, 'idempotent-replayed')).toBeUndefined();
        expect(await client.executions('POST /payments')).toBe(3);
      });
    },
    ctx.timeout,
  );
}
