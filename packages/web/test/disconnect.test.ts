/**
 * A client that disconnects mid-handler (its Request's signal aborts) and retries: the key stays held, the
 * handler's answer is stored though nobody listens, the retry gets 409 then the replay (docs/behaviour.md I1).
 */
import { MemoryStore } from '@idempo/core';
import { expect, it } from 'vitest';
import { withIdempotency } from '../src/index.js';
import { newKey, request } from './support/client.js';

it('I1 E32 E33 [15.1] an aborted request keeps its key: 409 while the handler runs, then the replay', async () => {
  let runs = 0;
  let sawAbort = false;
  const handler = withIdempotency(
    async (req: Request) => {
      const body = (await req.json()) as { item: string };
      await new Promise((resolve) => setTimeout(resolve, 200));
      sawAbort = req.signal.aborted;
      return Response.json({ run: ++runs, ...body }, { status: 201 });
    },
    { store: new MemoryStore() },
  );
  const key = newKey();
  const abort = new AbortController();
  const gone = handler(request('/d', { key, json: { item: 'book' }, signal: abort.signal }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  abort.abort();
  const during = await handler(request('/d', { key, json: { item: 'book' } }));
  expect(during.status).toBe(409);
  expect(during.headers.get('retry-after')).toBe('1');
  await gone;
  expect(sawAbort, 'the handler sees the client go away through request.signal').toBe(true);
  const after = await handler(request('/d', { key, json: { item: 'book' } }));
  expect(after.status).toBe(201);
  expect(after.headers.get('idempotent-replayed')).toBe('true');
  expect(await after.json()).toEqual({ run: 1, item: 'book' });
  expect(runs).toBe(1);
});
