/**
 * `maxRequestBodyBytes` (issue 15 item 11): a keyed request body longer than the limit is answered 413
 * problem+json before anything is reserved or buffered past the limit; without a key the request is none of
 * idempo's business and passes through.
 */
import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectProblemCode, expectReplayOf } from './adapter-expectations.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';
import { randomBytes } from './random.js';

/** An order whose JSON text is exactly `length` bytes (at least 19). */
function orderOfLength(length: number): { item: string; qty: number } {
  const order = { item: 'x'.repeat(length - JSON.stringify({ item: '', qty: 1 }).length), qty: 1 };
  if (JSON.stringify(order).length !== length) throw new Error(`no order of ${length} bytes`);
  return order;
}

/** Issue 15 item 11 (BEHAVIOUR H47): request bodies over the limit. */
export function defineRequestSizeCases(ctx: AdapterSuiteContext): void {
  it(
    'H47 [15.11] a keyed body over maxRequestBodyBytes is a 413 problem+json (request_too_large) and the handler never runs; without a key it passes through; under the limit it is stored',
    async () => {
      await ctx.withApp({ maxRequestBodyBytes: 1024 }, async (client) => {
        const key = quoted(ctx.key());
        const big = orderOfLength(2048);
        expectProblemCode(await client.send('POST', '/orders', { key, json: big }), 413, 'request_too_large');
        expect(await client.executions('POST /orders'), 'nothing ran for the 413').toBe(0);
        const unkeyed = await client.send('POST', '/orders', { json: big });
        expect(unkeyed.status, 'without a key the framework answers as usual').toBe(201);
        expect(await client.executions('POST /orders')).toBe(1);

        const small = orderOfLength(1000);
        const fits = await client.send('POST', '/orders', { key, json: small });
        expect(fits.status, 'the 413 reserved nothing: the key runs a body under the limit').toBe(201);
        expectNotReplayed(fits);
        expectReplayOf(await client.send('POST', '/orders', { key, json: small }), fits);
        expect(await client.executions('POST /orders')).toBe(2);
      });
    },
    ctx.timeout,
  );

  it(
    'H47 [15.11] a keyed raw body over maxRequestBodyBytes is a 413 problem+json before the handler reads it',
    async () => {
      await ctx.withApp({ maxRequestBodyBytes: 1024 }, async (client) => {
        const key = quoted(ctx.key());
        const bytes = randomBytes(2048);
        expectProblemCode(await client.send('POST', '/uploads', { key, bytes }), 413, 'request_too_large');
        expect(await client.executions('POST /uploads')).toBe(0);
        const fits = await client.send('POST', '/uploads', { key, bytes: bytes.subarray(0, 1024) });
        expect(fits.status, 'exactly the limit is allowed').toBe(200);
        expect(fits.body.length).toBe(1024);
        expect(await client.executions('POST /uploads')).toBe(1);
      });
    },
    ctx.timeout,
  );
}
