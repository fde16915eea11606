/**
 * idempotentFetch against the reference app (apps/reference, docs/reference-app.md): the compiled app as real processes,
 * over real HTTP, on Fastify with the memory store and on Hono with the Redis store. Then the faults a client
 * exists for: the server killed mid-request and started again on the same port and store, and the store down
 * (503, fail closed) until it comes back during the retries.
 *
 * Every attempt goes through a recording fetch (the real fetch, watched) so that the 409s and 503s the client
 * retries, and the key each attempt carried, can be asserted.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  freePort,
  type PrivateRedis,
  privateRedis,
} from '../../../apps/reliability/test/support/private-redis.js';
import {
  type IdempotentFetchOptions,
  idempotentFetch,
  newIdempotencyKey,
  type RetryInfo,
} from '../src/index.js';
import { type RecordedAttempt, recordingFetch } from './support/recording-fetch.js';
import {
  deleteNamespace,
  freshNamespace,
  paymentsExecuted,
  startApp,
  stopApps,
  waitUntil,
} from './support/reference-apps.js';

const PROBLEM = /^application\/problem\+json/;

const payment = (body: unknown = { item: 'book', qty: 1 }): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ann' },
  body: JSON.stringify(body),
});

/** Options that record every attempt and every retry. */
function watched(options: IdempotentFetchOptions = {}) {
  const recorder = recordingFetch(options.fetch);
  const retries: RetryInfo[] = [];
  return {
    attempts: recorder.attempts,
    retries,
    options: {
      ...options,
      fetch: recorder.fetch,
      onRetry: (info: RetryInfo) => {
        retries.push(info);
        options.onRetry?.(info);
      },
    } satisfies IdempotentFetchOptions,
  };
}

const keysOf = (attempts: readonly RecordedAttempt[]) => new Set(attempts.map((a) => a.key));
const reasonOf = (info: RetryInfo) => ('status' in info.reason ? info.reason.status : 'network error');

describe.each([
  { framework: 'fastify', store: 'memory' },
  { framework: 'hono', store: 'redis' },
])(
  'idempotentFetch against the reference app on $framework with the $store store',
  ({ framework, store }) => {
    let url: string;
    const namespace = freshNamespace();
    beforeAll(async () => {
      const args = ['--framework', framework, '--store', store, '--port', '0'];
      if (store === 'redis') args.push('--namespace', namespace, '--ttl-ms', '600000');
      url = (await startApp(args)).url;
    });
    afterAll(async () => {
      await stopApps();
      if (store === 'redis') await deleteNamespace(namespace);
    });
    beforeEach(async () => {
      const reset = await fetch(`${url}/stats/reset`, { method: 'POST' });
      expect(reset.status).toBe(204);
    });

    it('C14/C15/C16: one logical request is one execution; the same key again is the replay, byte for byte', async () => {
      const key = newIdempotencyKey();
      const first = watched({ key });
      const res = await idempotentFetch(`${url}/payments`, payment(), first.options);
      expect(res.status).toBe(201);
      expect(res.replayed).toBe(false);
      expect(res.attempts).toBe(1);
      expect(res.idempotencyKey).toBe(key);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({
        id: 1,
        item: 'book',
        qty: 1,
        principal: 'ann',
      });
      expect(first.attempts.map((a) => a.key)).toEqual([`"${key}"`]);

      const again = await idempotentFetch(`${url}/payments`, payment(), { key });
      expect(again.status).toBe(201);
      expect(again.replayed).toBe(true);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('location')).toBe(res.headers.get('location'));
      expect(new Uint8Array(await again.arrayBuffer())).toEqual(bytes);
      expect(await paymentsExecuted(url)).toBe(1);
    });

    it('E32/E33: a concurrent call with the same key gets 409 with Retry-After, waits it out, then gets the replay', async () => {
      const key = newIdempotencyKey();
      const target = `${url}/payments?delay=800`;
      const first = idempotentFetch(target, payment(), { key });
      await waitUntil('the first attempt runs', async () => (await paymentsExecuted(url)) === 1);
      const second = watched({ key });
      const res = await idempotentFetch(target, payment(), second.options);

      expect(second.attempts.map((a) => [a.status, a.retryAfter])).toEqual([
        [409, '1'],
        [201, null],
      ]);
      expect(second.attempts[0]?.contentType).toMatch(PROBLEM);
      expect(keysOf(second.attempts)).toEqual(new Set([`"${key}"`]));
      // Retry-After: 1 is one second, below the default 10 s ceiling.
      expect(second.retries).toEqual([{ attempt: 2, delayMs: 1000, reason: { status: 409 } }]);
      expect(res.status).toBe(201);
      expect(res.replayed).toBe(true);
      expect(res.attempts).toBe(2);

      const original = await first;
      expect(original.replayed).toBe(false);
      expect(original.attempts).toBe(1);
      expect(await res.text()).toBe(await original.text());
      expect(await paymentsExecuted(url)).toBe(1);
    });

    it('D26: the same key with another body is a 422 problem+json, never retried; the original body still replays', async () => {
      const key = newIdempotencyKey();
      const created = await idempotentFetch(`${url}/payments`, payment({ item: 'book', qty: 1 }), { key });
      expect(created.status).toBe(201);
      await created.arrayBuffer();

      const other = watched({ key });
      const res = await idempotentFetch(`${url}/payments`, payment({ item: 'pen', qty: 3 }), other.options);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(PROBLEM);
      expect(await res.json()).toMatchObject({ status: 422 });
      expect(res.attempts).toBe(1);
      expect(res.replayed).toBe(false);
      expect(other.retries).toEqual([]);
      expect(other.attempts).toHaveLength(1);

      const original = await idempotentFetch(`${url}/payments`, payment({ item: 'book', qty: 1 }), { key });
      expect(original.replayed).toBe(true);
      expect(await original.json()).toMatchObject({ id: 1, item: 'book' });
      expect(await paymentsExecuted(url)).toBe(1);
    });

    it('A7/A4: a key over 255 characters is a 400 problem+json, never retried, never run; 255 is accepted', async () => {
      const tooLong = watched({ key: 'k'.repeat(256) });
      const res = await idempotentFetch(`${url}/payments`, payment(), tooLong.options);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(PROBLEM);
      expect(await res.json()).toMatchObject({ status: 400 });
      expect(res.attempts).toBe(1);
      expect(tooLong.retries).toEqual([]);
      expect(tooLong.attempts).toHaveLength(1);
      expect(await paymentsExecuted(url)).toBe(0);

      const longest = await idempotentFetch(`${url}/payments`, payment(), { key: 'k'.repeat(255) });
      expect(longest.status).toBe(201);
      await longest.arrayBuffer();
      expect(await paymentsExecuted(url)).toBe(1);
    });

    it('E33: an attempt cut by a per-attempt timeout (options.fetch) is retried with the same key: 409 while the server still runs it, then the replay', async () => {
      const key = newIdempotencyKey();
      const timed = watched({
        key,
        fetch: (input, init) => {
          const request = new Request(input, init);
          return fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(400)]) });
        },
      });
      const res = await idempotentFetch(`${url}/payments?delay=1200`, payment(), timed.options);
      expect(timed.retries.map((r) => reasonOf(r))).toEqual(['network error', 409]);
      expect(timed.retries[0]?.reason).toMatchObject({ error: { name: 'TimeoutError' } });
      expect(res.status).toBe(201);
      expect(res.replayed).toBe(true);
      expect(res.attempts).toBe(3);
      expect(await res.json()).toMatchObject({ id: 1, principal: 'ann' });
      expect(await paymentsExecuted(url)).toBe(1);
    });

    it('aborting init.signal stops at once without a retry; the server still runs it, and the same key later gets its answer', async () => {
      const key = newIdempotencyKey();
      const target = `${url}/payments?delay=800`;
      const controller = new AbortController();
      const aborted = watched({ key });
      const pending = idempotentFetch(target, { ...payment(), signal: controller.signal }, aborted.options);
      await waitUntil('the attempt runs', async () => (await paymentsExecuted(url)) === 1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      expect(aborted.retries).toEqual([]);
      expect(aborted.attempts.map((a) => a.status)).toEqual([undefined]);

      const later = watched({ key });
      const res = await idempotentFetch(target, payment(), later.options);
      expect(res.status).toBe(201);
      expect(res.replayed).toBe(true);
      expect(later.retries.every((r) => reasonOf(r) === 409)).toBe(true);
      expect(await paymentsExecuted(url)).toBe(1);
    });

    it("F38: the handler's 500 is stored and not retried by default; the same key again is the replayed 500", async () => {
      const key = newIdempotencyKey();
      const failing = watched({ key });
      const res = await idempotentFetch(`${url}/payments?status=500`, payment(), failing.options);
      expect(res.status).toBe(500);
      expect(res.replayed).toBe(false);
      expect(res.attempts).toBe(1);
      expect(failing.retries).toEqual([]);
      const body = await res.text();

      const again = await idempotentFetch(`${url}/payments?status=500`, payment(), { key });
      expect(again.status).toBe(500);
      expect(again.replayed).toBe(true);
      expect(again.attempts).toBe(1);
      expect(await again.text()).toBe(body);
      expect(await paymentsExecuted(url)).toBe(1);
    });
  },
);

describe('idempotentFetch through server and store faults (reference app over Redis)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await stopApps();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('E34/E35: the server killed mid-request is retried with the same key; the restarted server takes over once the lease lapses, and one execution completes', async () => {
    const port = await freePort();
    const namespace = freshNamespace();
    cleanups.push(() => deleteNamespace(namespace));
    const args = ['--framework', 'hono', '--store', 'redis', '--port', String(port)];
    args.push('--namespace', namespace, '--lease-ms', '1000', '--ttl-ms', '600000');
    const first = await startApp(args);
    const target = `${first.url}/payments?delay=1500`;

    const key = newIdempotencyKey();
    // Backoff without jitter (250, 500, 1000, 1500, 1500 ... ms), so that a Retry-After (1000) stands out.
    const call = watched({ key, maxAttempts: 15, baseDelayMs: 250, maxDelayMs: 1500, random: () => 1 });
    const pending = idempotentFetch(target, payment(), call.options);
    await waitUntil(
      'the first process runs the handler',
      async () => (await paymentsExecuted(first.url)) === 1,
    );
    expect(await first.stop('SIGKILL')).toBeNull();
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startApp(args);
    expect(second.url).toBe(first.url);
    const res = await pending;

    // The first attempt died with the process; the retries found nobody listening, then (while the dead
    // process's lease ran, up to 1000 ms after its last heartbeat) 409, then the takeover.
    const kinds = call.retries.map(reasonOf);
    const firstAnswered = kinds.findIndex((kind) => kind !== 'network error');
    const errors = firstAnswered < 0 ? kinds : kinds.slice(0, firstAnswered);
    const answered = firstAnswered < 0 ? [] : kinds.slice(firstAnswered);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.every((kind) => kind === 'network error')).toBe(true);
    expect(answered.every((kind) => kind === 409)).toBe(true);
    for (const retry of call.retries.filter((r) => reasonOf(r) === 409)) expect(retry.delayMs).toBe(1000);

    expect(res.status).toBe(201);
    expect(res.replayed).toBe(false);
    expect(res.attempts).toBe(call.attempts.length);
    expect(res.attempts).toBe(call.retries.length + 1);
    expect(keysOf(call.attempts)).toEqual(new Set([`"${key}"`]));
    expect(call.attempts.at(-1)?.status).toBe(201);
    // No takeover before the lease lapsed: the first reservation was made after the first attempt was sent and
    // held for 1000 ms at least (heartbeats only extend it); the handler then ran 1500 ms.
    const sent = call.attempts[0]?.sentAt ?? Number.NaN;
    expect(call.attempts.at(-1)?.answeredAt).toBeGreaterThanOrEqual(sent + 1000 + 1500 - 50);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(JSON.parse(new TextDecoder().decode(bytes))).toMatchObject({
      id: 1,
      item: 'book',
      principal: 'ann',
    });

    // Executions over both processes: the killed one started the handler and never finished (its count died
    // with it, read above as 1); the second ran it once to the end. Only that one is stored and replayed.
    expect(await paymentsExecuted(second.url)).toBe(1);
    const replay = await idempotentFetch(target, payment(), { key });
    expect(replay.replayed).toBe(true);
    expect(replay.attempts).toBe(1);
    expect(new Uint8Array(await replay.arrayBuffer())).toEqual(bytes);
    expect(await paymentsExecuted(second.url)).toBe(1);
  });

  it('H48: the store down is a 503 with Retry-After, retried with the same key until the store is back; one execution', async () => {
    const redis: PrivateRedis = await privateRedis();
    await redis.start();
    cleanups.push(() => redis.shutdown());
    const app = await startApp(['--framework', 'fastify', '--store', 'redis', '--port', '0'], {
      REDIS_URL: redis.url,
    });
    await redis.shutdown();

    let restarted: Promise<void> | undefined;
    const key = newIdempotencyKey();
    const call = watched({
      key,
      maxAttempts: 12,
      maxDelayMs: 1500,
      // Redis comes back after the second 503; the retries after that reach it once ioredis has reconnected.
      onRetry: (info) => {
        if (info.attempt === 3) restarted = redis.start();
      },
    });
    const res = await idempotentFetch(`${app.url}/payments`, payment(), call.options);
    await restarted;

    expect(res.status).toBe(201);
    expect(res.replayed).toBe(false);
    expect(res.attempts).toBeGreaterThanOrEqual(3);
    expect(res.attempts).toBe(call.attempts.length);
    expect(keysOf(call.attempts)).toEqual(new Set([`"${key}"`]));
    const failed = call.attempts.slice(0, -1);
    expect(failed.map((a) => a.status)).toEqual(failed.map(() => 503));
    for (const attempt of failed) {
      expect(attempt.retryAfter).toBe('1');
      expect(attempt.contentType).toMatch(PROBLEM);
    }
    expect(call.retries.map(reasonOf)).toEqual(failed.map(() => 503));
    expect(call.retries.map((r) => r.delayMs)).toEqual(failed.map(() => 1000));
    expect(await paymentsExecuted(app.url)).toBe(1);

    const replay = await idempotentFetch(`${app.url}/payments`, payment(), { key });
    expect(replay.replayed).toBe(true);
    expect(await replay.json()).toMatchObject({ id: 1, principal: 'ann' });
    expect(await paymentsExecuted(app.url)).toBe(1);
  });
});
