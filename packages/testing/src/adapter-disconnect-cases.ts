/**
 * A client that disconnects while its handler runs (issue 15 item 1): a mobile timeout, or a proxy closing
 * upstream. The handler goes on and its answer is still stored; the key stays held until then, so the client's
 * retry gets a 409 while the handler runs and the replay once it has finished, never a second execution.
 */
import { expect, it } from 'vitest';
import { quoted, type SuiteClient } from './adapter-client.js';
import { expectProblem, expectReplayOf, REPLAY_HEADER } from './adapter-expectations.js';
import { bodyJsonOf, header } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';
import type { AdapterResponse } from './adapter-types.js';
import { sleep } from './sleep.js';

const ORDER = { item: 'book', qty: 1 };

/**
 * Sends `POST path` with `key` and an AbortSignal, waits until its handler runs, waits `abortAfterMs` more and
 * aborts: the client disconnects mid-handler. What the aborted promise settles to is ignored.
 */
async function disconnectMidHandler(
  ctx: AdapterSuiteContext,
  client: SuiteClient,
  path: string,
  key: string,
  abortAfterMs: number,
): Promise<void> {
  const controller = new AbortController();
  void client.send('POST', path, { key, json: ORDER, signal: controller.signal }).catch(() => undefined);
  await client.waitForExecutions('POST /orders', 1, ctx.delay(5_000));
  if (abortAfterMs > 0) await ctx.wait(abortAfterMs);
  controller.abort();
}

/** Retries until the answer is not a 409 (the handler has finished), then returns that answer. */
async function retryUntilDone(
  ctx: AdapterSuiteContext,
  client: SuiteClient,
  path: string,
  key: string,
): Promise<AdapterResponse> {
  const deadline = Date.now() + ctx.delay(8_000);
  for (;;) {
    const response = await client.send('POST', path, { key, json: ORDER });
    if (response.status !== 409) return response;
    if (Date.now() > deadline) throw new Error('the key was still in flight long after its handler ended');
    await sleep(50);
  }
}

/** Asserts that `response` is the stored answer of the first (and only) execution, replayed. */
async function expectStoredReplay(client: SuiteClient, response: AdapterResponse): Promise<void> {
  expect(response.status, 'the handler of the disconnected client answered 201, and it was stored').toBe(201);
  expect(header(response, REPLAY_HEADER), 'the retry is the replay, not a second execution').toBe('true');
  expect(bodyJsonOf(response)).toEqual({ id: 1, item: 'book', qty: 1, principal: null });
  expect(await client.executions('POST /orders'), 'one execution in all').toBe(1);
}

/** Issue 15 item 1 (BEHAVIOUR E32, E33): a client disconnect keeps the key. */
export function defineDisconnectCases(ctx: AdapterSuiteContext): void {
  it(
    'E32 E33 [15.1] a client that disconnects mid-handler keeps the key: its retry is a 409 with Retry-After, then the replay of the stored answer',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const path = `/orders?delay=${ctx.delay(700)}`;
      await disconnectMidHandler(ctx, client, path, key, 100);
      // Time for the server to hear the disconnect (and, if it wrongly releases the key on it, to do so).
      await ctx.wait(50);
      const conflict = await client.send('POST', path, { key, json: ORDER });
      expectProblem(conflict, 409);
      expect(header(conflict, 'retry-after')).toMatch(/^\d+$/);
      expect(await client.executions('POST /orders'), 'the retry did not run the handler').toBe(1);
      const replay = await retryUntilDone(ctx, client, path, key);
      await expectStoredReplay(client, replay);
      expectReplayOf(await client.send('POST', path, { key, json: ORDER }), replay);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'E32 [15.1] retries sent right after a disconnect and while its handler still runs are all 409: the key is held, not released',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const path = `/orders?delay=${ctx.delay(1_000)}`;
      await disconnectMidHandler(ctx, client, path, key, 0);
      const retries: AdapterResponse[] = [await client.send('POST', path, { key, json: ORDER })];
      await ctx.wait(100);
      retries.push(await client.send('POST', path, { key, json: ORDER }));
      await ctx.wait(150);
      retries.push(await client.send('POST', path, { key, json: ORDER }));
      for (const [i, retry] of retries.entries()) {
        expect(retry.status, `retry ${i + 1} while the handler runs`).toBe(409);
        expectProblem(retry, 409);
      }
      expect(await client.executions('POST /orders'), 'no retry ran the handler').toBe(1);
      await expectStoredReplay(client, await retryUntilDone(ctx, client, path, key));
    },
    ctx.timeout,
  );
}
