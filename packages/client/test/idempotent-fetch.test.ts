import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdempotentFetchError, idempotentFetch, newIdempotencyKey } from '../src/index.js';
import { startServer, type TestServer } from './support/server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

const post = (body = '{"amount":100}') => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
});
const fast = { baseDelayMs: 10, maxDelayMs: 50 };

describe('idempotentFetch against a real server with idempo', () => {
  it('sends one quoted key; the first answer is not a replay, a second call with the key is', async () => {
    const key = newIdempotencyKey();
    const first = await idempotentFetch(`${server.url}/payments`, post(), { key });
    expect(first.status).toBe(201);
    expect(first.replayed).toBe(false);
    expect(first.attempts).toBe(1);
    expect(first.idempotencyKey).toBe(key);
    const again = await idempotentFetch(`${server.url}/payments`, post(), { key });
    expect(again.replayed).toBe(true);
    expect(await again.text()).toBe(await first.text());
    expect(server.keys).toEqual([`"${key}"`, `"${key}"`]);
    expect(server.executions()).toBe(1);
  });

  it('makes a new key per call when none is given', async () => {
    const a = await idempotentFetch(`${server.url}/p`, post());
    const b = await idempotentFetch(`${server.url}/p`, post());
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
    expect(server.executions()).toBe(2);
  });

  it('retries 502/503/504 with the same key and ends with the one execution', async () => {
    server.failNext(2, 503);
    server.failNext(1, 502);
    const retries: number[] = [];
    const res = await idempotentFetch(`${server.url}/p`, post(), {
      ...fast,
      onRetry: (i) => retries.push(i.attempt),
    });
    expect(res.status).toBe(201);
    expect(res.attempts).toBe(4);
    expect(retries).toEqual([2, 3, 4]);
    expect(new Set(server.keys).size).toBe(1);
    expect(server.executions()).toBe(1);
  });

  it('E33 retries a 409 while the first attempt runs, honouring Retry-After, and gets the replay', async () => {
    server.handlerDelayMs = 300;
    const key = newIdempotencyKey();
    const first = idempotentFetch(`${server.url}/p`, post(), { key });
    await new Promise((r) => setTimeout(r, 50));
    const delays: number[] = [];
    const second = await idempotentFetch(`${server.url}/p`, post(), {
      key,
      maxDelayMs: 400,
      onRetry: (i) => delays.push(i.delayMs),
    });
    expect(delays[0]).toBe(400);
    expect(second.replayed).toBe(true);
    expect(second.attempts).toBe(2);
    expect((await first).replayed).toBe(false);
    expect(server.executions()).toBe(1);
  });

  it('never retries 422 or 400', async () => {
    const key = newIdempotencyKey();
    await idempotentFetch(`${server.url}/p`, post('{"amount":1}'), { key });
    const mismatch = await idempotentFetch(`${server.url}/p`, post('{"amount":2}'), { key, ...fast });
    expect(mismatch.status).toBe(422);
    expect(mismatch.attempts).toBe(1);
    server.failNext(1, 400);
    const bad = await idempotentFetch(`${server.url}/p`, post(), fast);
    expect(bad.status).toBe(400);
    expect(bad.attempts).toBe(1);
    await expect(idempotentFetch(`${server.url}/p`, post(), { retryStatuses: [422] })).rejects.toThrow(
      RangeError,
    );
  });

  it('gives up after maxAttempts with the last answer', async () => {
    server.failNext(5, 503);
    const res = await idempotentFetch(`${server.url}/p`, post(), { ...fast, maxAttempts: 3 });
    expect(res.status).toBe(503);
    expect(res.attempts).toBe(3);
    expect(server.executions()).toBe(0);
  });

  it('retries network errors with the same key, then rejects with the last one', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls <= 2) throw new TypeError('fetch failed (ECONNRESET)');
      return fetch(input, init);
    };
    const res = await idempotentFetch(`${server.url}/p`, post(), { ...fast, fetch: flaky });
    expect(res.status).toBe(201);
    expect(res.attempts).toBe(3);
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed (ECONNREFUSED)');
    };
    const exhausted = await idempotentFetch(`${server.url}/p`, post(), {
      ...fast,
      fetch: down,
      maxAttempts: 2,
      key: 'order-42',
    }).catch((error: unknown) => error);
    expect(exhausted).toBeInstanceOf(IdempotentFetchError);
    expect(exhausted).toMatchObject({
      name: 'IdempotentFetchError',
      idempotencyKey: 'order-42',
      attempts: 2,
      message: 'idempotentFetch gave up after 2 attempts with key "order-42": fetch failed (ECONNREFUSED)',
    });
    expect((exhausted as Error).cause).toBeInstanceOf(TypeError);
    // A generated key is carried too: it is the only way to ask again later under it.
    const generated = await idempotentFetch(`${server.url}/p`, post(), { fetch: down, maxAttempts: 1 }).then(
      () => expect.unreachable('the call should have rejected'),
      (error: unknown) => error as IdempotentFetchError,
    );
    expect(generated.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.message).toContain('after 1 attempt with key');
  });

  it('sends a streamed body again, byte for byte, on every attempt', async () => {
    server.failNext(1, 503);
    const bytes = new Uint8Array(256).map((_, i) => i);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 100));
        controller.enqueue(bytes.subarray(100));
        controller.close();
      },
    });
    const res = await idempotentFetch(
      `${server.url}/p`,
      {
        method: 'POST',
        body: stream,
        headers: { 'content-type': 'application/octet-stream' },
        duplex: 'half',
      } as RequestInit,
      fast,
    );
    expect(res.attempts).toBe(2);
    expect(Buffer.from(((await res.json()) as { echo: string }).echo, 'base64')).toEqual(Buffer.from(bytes));
  });

  it('stops at once when the signal aborts during a wait', async () => {
    server.failNext(5, 503, { 'retry-after': '30' });
    const controller = new AbortController();
    // Aborted from a timer armed in onRetry, which runs just before the 30 s wait begins: the abort lands in the
    // wait whatever the machine's load, never in the attempt.
    const started = Date.now();
    await expect(
      idempotentFetch(
        `${server.url}/p`,
        { ...post(), signal: controller.signal },
        {
          maxDelayMs: 30_000,
          onRetry: () => setTimeout(() => controller.abort(new Error('user gave up')), 0),
        },
      ),
    ).rejects.toThrow('user gave up');
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(server.executions()).toBe(0);
  });

  it('stops before the wait when the signal aborted during onRetry, and never sends again', async () => {
    server.failNext(5, 503);
    const controller = new AbortController();
    let attempts = 0;
    const counting: typeof fetch = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    await expect(
      idempotentFetch(
        `${server.url}/p`,
        { ...post(), signal: controller.signal },
        { fetch: counting, onRetry: () => controller.abort(new Error('user gave up')) },
      ),
    ).rejects.toThrow('user gave up');
    expect(attempts).toBe(1);
  });
});
