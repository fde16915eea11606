/**
 * A `principal` function that returns something other than a string (issue 15 item 8): a user object, which
 * would merge every caller into one key space so that Bob gets Alice's stored answer. The reference apps'
 * `principalFromAuthorization` returns `{ name }` for `Bearer object:<name>`, on purpose.
 */
import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectProblemCode, REPLAY_HEADER } from './adapter-expectations.js';
import { bodyJsonOf, header } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';

const ORDER = { item: 'book', qty: 1 };

/** Issue 15 item 8 (BEHAVIOUR G41, H47): a principal that is not a string is an error, never a merge. */
export function definePrincipalCases(ctx: AdapterSuiteContext): void {
  it(
    'G41 H47 [15.8] a principal that is not a string is a 500 problem+json (invalid_principal): the handler never runs, and Bob never gets a replay of Alice',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const alice = await client.send('POST', '/orders', { key, json: ORDER, principal: 'object:alice' });
      expectProblemCode(alice, 500, 'invalid_principal');
      const bob = await client.send('POST', '/orders', { key, json: ORDER, principal: 'object:bob' });
      expect(header(bob, REPLAY_HEADER), 'never a replay of another caller').toBeUndefined();
      expectProblemCode(bob, 500, 'invalid_principal');
      expect(await client.executions('POST /orders'), 'the handler never ran').toBe(0);
      // Nothing was stored or held: the key executes for a caller with a real principal.
      const real = await client.send('POST', '/orders', { key, json: ORDER, principal: 'alice' });
      expect(real.status).toBe(201);
      expectNotReplayed(real);
      expect(bodyJsonOf(real)).toMatchObject({ id: 1, principal: 'alice' });
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );
}
