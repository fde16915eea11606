import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectProblem, expectReplayOf } from './adapter-expectations.js';
import { bodyJsonOf } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';

const ORDER = { item: 'book', qty: 1 };

/** BEHAVIOUR B: which requests idempo handles, per method and per route. */
export function defineApplicabilityCases(ctx: AdapterSuiteContext): void {
  it(
    'B10 GET bypasses idempotency: a key, even an invalid one, changes nothing',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      for (const k of [key, key, '(not a key)']) {
        const response = await client.send('GET', '/orders/42', { key: k });
        expect(response.status).toBe(200);
        expect(bodyJsonOf(response)).toEqual({ id: '42' });
        expectNotReplayed(response);
      }
      expect(await client.executions('GET /orders/:id')).toBe(3);
    },
    ctx.timeout,
  );

  it(
    'B10 a route that opts out (POST /raw) ignores the key: every request runs',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      for (const k of [key, key, '(not a key)']) {
        const response = await client.send('POST', '/raw', { key: k, json: ORDER });
        expect(response.status).toBe(200);
        expectNotReplayed(response);
      }
      expect(await client.executions('POST /raw')).toBe(3);
    },
    ctx.timeout,
  );

  it(
    'B10 PUT opted in on a route (PUT /orders/:id): a retry with the key replays',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('PUT', '/orders/abc', { key, json: ORDER });
      expect(first.status).toBe(200);
      expect(bodyJsonOf(first)).toEqual({ id: 'abc', n: 1 });
      expectNotReplayed(first);
      expectReplayOf(await client.send('PUT', '/orders/abc', { key, json: ORDER }), first);
      expect(await client.executions('PUT /orders/:id')).toBe(1);
      const unkeyed = await client.send('PUT', '/orders/abc', { json: ORDER });
      expect(unkeyed.status, 'without a key PUT passes through').toBe(200);
      expect(await client.executions('PUT /orders/:id')).toBe(2);
    },
    ctx.timeout,
  );

  it(
    'B11 a required route (POST /payments) without a key is a 400 problem+json with a type URI; the handler does not run',
    async () => {
      const client = ctx.client();
      const response = await client.send('POST', '/payments', { json: ORDER });
      expectProblem(response, 400);
      expect(await client.executions('POST /payments')).toBe(0);
      const key = quoted(ctx.key());
      const keyed = await client.send('POST', '/payments', { key, json: ORDER });
      expect(keyed.status).toBe(201);
      expectReplayOf(await client.send('POST', '/payments', { key, json: ORDER }), keyed);
      expect(await client.executions('POST /payments')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'B12 an optional route without a key passes through: it runs every time',
    async () => {
      const client = ctx.client();
      const first = await client.send('POST', '/orders', { json: ORDER });
      const second = await client.send('POST', '/orders', { json: ORDER });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expectNotReplayed(second);
      expect(bodyJsonOf(first)).toMatchObject({ id: 1 });
      expect(bodyJsonOf(second)).toMatchObject({ id: 2 });
      expect(await client.executions('POST /orders')).toBe(2);
    },
    ctx.timeout,
  );
}
