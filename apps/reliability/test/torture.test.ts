/**
 * Torture (issue 8): several worker processes of the reference app over ONE shared store, driven with many
 * concurrent duplicates over many keys; a worker killed with SIGKILL in the middle of a handler; a handler
 * outliving three leases on its heartbeat. Real processes, real HTTP, the shared Redis and PostgreSQL.
 * Test titles name the docs/behaviour.md items they check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerOf,
  dropPostgresNamespace,
  dropRedisNamespace,
  postgresRecords,
  postOrder,
  type Reply,
  redisRecords,
  runBounded,
  sleep,
  stopWorkers,
  workerExecutions,
} from './support/torture-helpers.js';
import {
  freshNamespace,
  type PoolOptions,
  startPool,
  totalExecutions,
  type Worker,
} from './support/workers.js';

type Framework = PoolOptions['framework'];
type Store = 'redis' | 'postgres';

/** Sizes: 4 workers x 20 duplicates x 200 keys = 4 000 requests per store, 96 in flight. */
const KEYS = 200;
const DUPLICATES = 20;
const IN_FLIGHT = 96;
/** Each handler waits this long, so that duplicates of one key overlap its execution. */
const HANDLER_DELAY_MS = 20;
/** The lease of the kill and heartbeat tests. */
const LEASE_MS = 1_000;

interface StoreCase {
  readonly store: Store;
  /** One framework per torture worker: different adapters share one store's records. */
  readonly torture: readonly Framework[];
  /** Workers A (killed), B (takes over), C (third opinion) of the lease tests. */
  readonly lease: readonly [Framework, Framework, Framework];
}

const CASES: readonly StoreCase[] = [
  {
    store: 'redis',
    torture: ['fastify', 'fastify', 'fastify', 'fastify'],
    lease: ['fastify', 'hono', 'koa'],
  },
  { store: 'postgres', torture: ['hono', 'koa', 'express', 'koa'], lease: ['koa', 'fastify', 'express'] },
];

/** Starts one worker per entry of `frameworks`, all over `namespace`. */
async function startMixedPool(
  store: Store,
  frameworks: readonly Framework[],
  namespace: string,
  leaseMs?: number,
): Promise<Worker[]> {
  const pools = await Promise.all(
    frameworks.map((framework) =>
      startPool({ framework, store, workers: 1, namespace, ...(leaseMs === undefined ? {} : { leaseMs }) }),
    ),
  );
  return pools.flatMap((pool) => pool.workers);
}

function records(store: Store, namespace: string): Promise<number> {
  return store === 'redis' ? redisRecords(namespace) : postgresRecords(namespace);
}

function isProblem409(reply: Reply): boolean {
  return (
    reply.status === 409 &&
    reply.contentType.startsWith('application/problem+json') &&
    reply.retryAfter !== null
  );
}

describe.each(CASES)('torture over $store', ({ store, torture, lease }) => {
  const tortureNamespace = freshNamespace('tort');
  const leaseNamespace = freshNamespace('tlease');
  const run = crypto.randomUUID().slice(0, 8);
  let tortureWorkers: Worker[] = [];
  let leaseWorkers: Worker[] = [];

  beforeAll(async () => {
    // Started one pool after the other: each start fully loads a core for a moment.
    tortureWorkers = await startMixedPool(store, torture, tortureNamespace);
    leaseWorkers = await startMixedPool(store, lease, leaseNamespace, LEASE_MS);
  });

  afterAll(async () => {
    await stopWorkers([...tortureWorkers, ...leaseWorkers]);
    const drop = store === 'redis' ? dropRedisNamespace : dropPostgresNamespace;
    await drop(tortureNamespace);
    await drop(leaseNamespace);
  });

  it(`E32 E37: ${torture.length} workers, ${DUPLICATES} duplicates x ${KEYS} keys -> one execution per key, every other answer its replay or a 409`, async () => {
    const keys = Array.from({ length: KEYS }, (_, i) => `${run}-torture-${i}`);
    // Key-major order with round-robin over the workers: the duplicates of one key are sent close together
    // to every worker, so that many arrive while the first is still running (409) and the rest after it (replay).
    const plan = keys.flatMap((key, k) =>
      Array.from({ length: DUPLICATES }, (_, d) => ({
        key,
        worker: tortureWorkers[(k * DUPLICATES + d) % tortureWorkers.length] as Worker,
      })),
    );
    const started = performance.now();
    const replies = await runBounded(
      plan.map(
        ({ key, worker }) =>
          () =>
            postOrder(worker.url, key, `?delay=${HANDLER_DELAY_MS}`),
      ),
      IN_FLIGHT,
    );
    const seconds = (performance.now() - started) / 1000;

    const byKey = new Map<string, Reply[]>();
    plan.forEach(({ key }, i) => {
      const list = byKey.get(key) ?? [];
      list.push(replies[i] as Reply);
      byKey.set(key, list);
    });
    const statuses = new Map<number, number>();
    for (const reply of replies) statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    const originals = replies.filter((r) => r.status === 201 && !r.replayed).length;
    const replays = replies.filter((r) => r.status === 201 && r.replayed).length;
    const conflicts = replies.filter(isProblem409).length;
    const serverErrors = replies.filter((r) => r.status >= 500).length;
    const unexpected = replies.filter((r) => r.status !== 201 && !isProblem409(r));
    const keysWithTwoOriginals: string[] = [];
    const keysWithMixedBytes: string[] = [];
    const keysWithoutAnswer: string[] = [];
    for (const [key, list] of byKey) {
      const ok = list.filter((r) => r.status === 201);
      if (ok.filter((r) => !r.replayed).length > 1) keysWithTwoOriginals.push(key);
      if (ok.length === 0) keysWithoutAnswer.push(key);
      if (new Set(ok.map(answerOf)).size > 1) keysWithMixedBytes.push(key);
      for (const r of ok) expect(JSON.parse(r.body)).toMatchObject({ item: key, qty: 1 });
    }
    const executions = await totalExecutions(tortureWorkers);

    // Every key once more, now that every handler has finished, on another worker than its first request:
    // each must replay the same bytes its duplicates got (no key left in flight, nothing overwritten).
    const finals = await runBounded(
      keys.map(
        (key, k) => () =>
          postOrder(
            (tortureWorkers[(k * DUPLICATES + 1) % tortureWorkers.length] as Worker).url,
            key,
            `?delay=${HANDLER_DELAY_MS}`,
          ),
      ),
      IN_FLIGHT,
    );
    const finalMismatches = keys.filter((key, k) => {
      const final = finals[k] as Reply;
      const first = (byKey.get(key) ?? []).find((r) => r.status === 201);
      return !final.replayed || first === undefined || answerOf(final) !== answerOf(first);
    });
    const executionsAfter = await totalExecutions(tortureWorkers);
    const stored = await records(store, tortureNamespace);

    console.log(
      `[torture ${store}] workers=${torture.join(',')} keys=${KEYS} duplicates=${DUPLICATES} ` +
        `requests=${replies.length} in-flight=${IN_FLIGHT} delay=${HANDLER_DELAY_MS}ms in ${seconds.toFixed(1)} s ` +
        `(${Math.round(replies.length / seconds)} req/s) | statuses ${JSON.stringify(Object.fromEntries(statuses))} | ` +
        `executions=${executions} double-executions=${executions - KEYS} originals=${originals} ` +
        `replays=${replays} 409=${conflicts} 5xx=${serverErrors} keys-with-mixed-bytes=${keysWithMixedBytes.length} | ` +
        `final retry of every key: replays=${finals.filter((r) => r.replayed).length}/${KEYS} ` +
        `mismatches=${finalMismatches.length} executions-after=${executionsAfter} | records in store=${stored}`,
    );

    expect(serverErrors).toBe(0);
    expect(unexpected.map((r) => `${r.status} ${r.contentType} ${r.body.slice(0, 120)}`)).toEqual([]);
    expect(executions).toBe(KEYS);
    expect(keysWithTwoOriginals).toEqual([]);
    expect(keysWithMixedBytes).toEqual([]);
    // The request that ran a key's handler always gets its answer: every key has exactly one original.
    expect(keysWithoutAnswer).toEqual([]);
    expect(originals).toBe(KEYS);
    expect(originals + replays + conflicts).toBe(replies.length);
    expect(finalMismatches).toEqual([]);
    expect(executionsAfter).toBe(KEYS);
    expect(stored).toBe(KEYS);
  });

  it(`E35 heartbeat: with --lease-ms ${LEASE_MS} a handler running 3.5 leases keeps its key (409 at 1.5 s and 2.5 s), then replays; executions 1`, async () => {
    const [a, b, c] = leaseWorkers as [Worker, Worker, Worker];
    const key = `${run}-heartbeat`;
    const query = '?delay=3500';
    const before = await totalExecutions(leaseWorkers);
    const t0 = performance.now();
    const original = postOrder(b.url, key, query);
    await sleep(1_500 - (performance.now() - t0));
    const at1500 = await postOrder(c.url, key, query);
    const sentAt1500 = performance.now() - t0;
    await sleep(2_500 - (performance.now() - t0));
    const at2500 = await postOrder(a.url, key, query);
    const sentAt2500 = performance.now() - t0;
    const first = await original;
    const firstMs = performance.now() - t0;
    const retry = await postOrder(c.url, key, query);
    const executions = (await totalExecutions(leaseWorkers)) - before;

    console.log(
      `[heartbeat ${store}] lease=${LEASE_MS}ms handler=3500ms on ${lease[1]}: duplicate on ${lease[2]} ` +
        `answered by ${Math.round(sentAt1500)} ms -> ${at1500.status}, duplicate on ${lease[0]} by ` +
        `${Math.round(sentAt2500)} ms -> ${at2500.status}, original -> ${first.status} after ${Math.round(firstMs)} ms, ` +
        `retry -> ${retry.status} replayed=${retry.replayed} | executions=${executions}`,
    );

    expect(isProblem409(at1500)).toBe(true);
    expect(isProblem409(at2500)).toBe(true);
    expect(first.status).toBe(201);
    expect(first.replayed).toBe(false);
    expect(retry.status).toBe(201);
    expect(retry.replayed).toBe(true);
    expect(answerOf(retry)).toBe(answerOf(first));
    expect(executions).toBe(1);
  });

  it(`E34 E35: a worker SIGKILLed mid-handler holds its key until its lease (${LEASE_MS} ms) ends; then another worker takes over, executes once, and its answer is the record`, async () => {
    const [a, b, c] = leaseWorkers as [Worker, Worker, Worker];
    const key = `${run}-killed`;
    const query = '?delay=5000';
    const aBefore = await workerExecutions(a);
    const bBefore = await workerExecutions(b);
    const cBefore = await workerExecutions(c);

    const original = postOrder(a.url, key, query).then(
      (reply) => `answered ${reply.status}`,
      (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    // Wait until A's handler runs (the counter moves when it starts), then kill A without a chance to clean up.
    const waitFrom = performance.now();
    while ((await workerExecutions(a)) === aBefore) {
      if (performance.now() - waitFrom > 10_000)
        throw new Error('the handler on A did not start within 10 s');
      await sleep(20);
    }
    const killedAt = performance.now();
    const exit = await a.stop('SIGKILL');
    const originalOutcome = await original;

    // At once on B: the dead holder's lease still runs.
    const immediate = await postOrder(b.url, key, query);
    const immediateMs = performance.now() - killedAt;
    // Then every 100 ms on B until one is not a 409: that one took the key over and ran the handler (5 s).
    let conflicts = immediate.status === 409 ? 1 : 0;
    let takeover: Reply = immediate;
    let takeoverSentMs = 0;
    while (takeover.status === 409) {
      await sleep(100);
      takeoverSentMs = performance.now() - killedAt;
      takeover = await postOrder(b.url, key, query);
      if (takeover.status === 409) conflicts++;
      if (performance.now() - killedAt > LEASE_MS + 10_000) break;
    }
    const replayOnB = await postOrder(b.url, key, query);
    const replayOnC = await postOrder(c.url, key, query);
    const bExecutions = (await workerExecutions(b)) - bBefore;
    const cExecutions = (await workerExecutions(c)) - cBefore;
    const stored = await records(store, leaseNamespace);

    console.log(
      `[kill ${store}] A=${lease[0]} SIGKILLed mid-handler (exit signal ${a.child.signalCode}, code ${exit}); ` +
        `original request ${originalOutcome} | retry on B=${lease[1]} at once (${Math.round(immediateMs)} ms) -> ` +
        `${immediate.status}; ${conflicts} x 409 in all; taken over by the retry sent ${Math.round(takeoverSentMs)} ms ` +
        `after the kill -> ${takeover.status} replayed=${takeover.replayed} | later retries: B -> ${replayOnB.status} ` +
        `replayed=${replayOnB.replayed}, C=${lease[2]} -> ${replayOnC.status} replayed=${replayOnC.replayed} | ` +
        `executions A=1 (killed) B=${bExecutions} C=${cExecutions} | records in store=${stored}`,
    );

    expect(a.child.signalCode).toBe('SIGKILL');
    expect(originalOutcome).toMatch(/^failed/);
    expect(isProblem409(immediate)).toBe(true);
    expect(takeover.status).toBe(201);
    expect(takeover.replayed).toBe(false);
    expect(JSON.parse(takeover.body)).toMatchObject({ item: key, qty: 1 });
    // Upper bound only, with a generous margin: the key frees about one lease after the last heartbeat.
    expect(takeoverSentMs).toBeLessThan(LEASE_MS + 2_000);
    expect(bExecutions).toBe(1);
    expect(cExecutions).toBe(0);
    // The record is B's: both later retries replay B's bytes.
    expect(replayOnB.replayed).toBe(true);
    expect(answerOf(replayOnB)).toBe(answerOf(takeover));
    expect(replayOnC.replayed).toBe(true);
    expect(answerOf(replayOnC)).toBe(answerOf(takeover));
  });
});
