/**
 * The product across processes: separate Node processes, each with its own pool and store, race for the same
 * keys in synchronised rounds. Exactly one `reserve` per key wins across all of them, every loser sees the
 * winner's record, and after the leases lapse the takeover race has exactly one winner per key too.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { ensureBuilt, PACKAGE_ROOT } from './helpers/build.js';
import { createTestSchema, DATABASE_URL, type TestSchema } from './helpers/database.js';

const PROCESSES = 6;
const ROUNDS = 20;
const KEYS_PER_ROUND = 10;
const PER_KEY = 4;
const LONG = 120_000;
/** The first race's lease: long enough that no lease lapses within a round, even on a loaded machine. */
const FIRST_LEASE = 4_000;

interface Outcome {
  readonly key: string;
  readonly worker: number;
  readonly fingerprint: string;
  readonly kind: 'reserved' | 'existing';
  readonly token?: string;
  readonly state?: 'in-flight' | 'completed';
  readonly seen?: string;
  readonly response?: string;
  readonly completed?: boolean;
}

type Reply = { type: 'ready' } | { type: 'results'; results: Outcome[] } | { type: 'error'; message: string };

class Worker {
  readonly #child: ChildProcess;
  #waiting: ((reply: Reply) => void) | undefined;
  readonly ready: Promise<Reply>;

  constructor(id: number, db: TestSchema) {
    this.#child = fork(join(PACKAGE_ROOT, 'test', 'workers', 'race-worker.mjs'), [], {
      env: {
        ...process.env,
        DATABASE_URL,
        RACE_SCHEMA: db.schema,
        RACE_APP: db.applicationName,
        RACE_WORKER: String(id),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (reply: Reply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.(reply);
    });
    this.ready = this.#next();
  }

  #next(): Promise<Reply> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  async round(keys: string[], leaseMs: number, completeWins = false): Promise<Outcome[]> {
    const reply = this.#next();
    this.#child.send({ type: 'round', keys, perKey: PER_KEY, leaseMs, ttlMs: LONG, completeWins });
    const answer = await reply;
    if (answer.type === 'error') throw new Error(answer.message);
    if (answer.type !== 'results') throw new Error(`unexpected ${answer.type}`);
    return answer.results;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#child.exitCode !== null) return resolve();
      this.#child.once('exit', () => resolve());
      this.#child.send({ type: 'stop' });
      setTimeout(() => this.#child.kill(), 10_000).unref();
    });
  }
}

let db: TestSchema;
let workers: Worker[] = [];
let store: PostgresStore;

beforeAll(async () => {
  ensureBuilt();
  db = await createTestSchema('race');
  store = await db.store();
  workers = Array.from({ length: PROCESSES }, (_, i) => new Worker(i, db));
  await Promise.all(workers.map((w) => w.ready));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await db?.drop();
});

/** Runs every round on every worker at once (a round's message reaches all of them within a millisecond or so). */
async function race(
  keys: string[][],
  leaseMs: number,
  completeWins = false,
): Promise<Map<string, Outcome[]>> {
  const byKey = new Map<string, Outcome[]>();
  for (const roundKeys of keys) {
    const results = await Promise.all(workers.map((w) => w.round(roundKeys, leaseMs, completeWins)));
    for (const outcome of results.flat()) {
      const list = byKey.get(outcome.key) ?? [];
      list.push(outcome);
      byKey.set(outcome.key, list);
    }
  }
  return byKey;
}

/** Checks one winner per key and that every loser saw the winner's fingerprint; returns the winners. */
function oneWinnerPerKey(byKey: Map<string, Outcome[]>, expectedState: 'in-flight' | 'completed') {
  const winners = new Map<string, Outcome>();
  let crossProcessLosers = 0;
  for (const [key, outcomes] of byKey) {
    expect(outcomes).toHaveLength(PROCESSES * PER_KEY);
    const won = outcomes.filter((o) => o.kind === 'reserved');
    expect(won.length, `winners of ${key}`).toBe(1);
    const winner = won[0] as Outcome;
    winners.set(key, winner);
    for (const o of outcomes) {
      if (o === winner) continue;
      expect(o, `a loser of ${key}`).toMatchObject({ kind: 'existing', seen: winner.fingerprint });
      expect(o.state === expectedState || o.state === 'completed', `state seen by a loser of ${key}`).toBe(
        true,
      );
      if (o.worker !== winner.worker) crossProcessLosers++;
    }
  }
  return { winners, crossProcessLosers };
}

describe(`${PROCESSES} processes race for the same keys`, () => {
  const keys = Array.from({ length: ROUNDS }, (_, r) =>
    Array.from({ length: KEYS_PER_ROUND }, (_, k) => `race:${r}:${k}`),
  );
  const firstWinners = new Map<string, Outcome>();

  it('exactly one reserved per key across all processes; every loser sees the winner', async () => {
    const started = performance.now();
    const byKey = await race(keys, FIRST_LEASE);
    const elapsed = performance.now() - started;
    const { winners, crossProcessLosers } = oneWinnerPerKey(byKey, 'in-flight');
    for (const [key, w] of winners) firstWinners.set(key, w);
    const winningProcesses = new Set([...winners.values()].map((w) => w.worker));
    // The record in the table carries the winner's token: nobody else holds it.
    const { rows } = await db.admin.query<{ key: string; token: string }>(
      `SELECT key, token FROM "${db.schema}".idempo_records WHERE key LIKE 'race:%'`,
    );
    expect(rows).toHaveLength(byKey.size);
    for (const row of rows) expect(row.token).toBe(winners.get(row.key)?.token);
    console.info(
      `race: ${PROCESSES} processes x ${byKey.size} keys x ${PER_KEY} parallel reserves = ${
        PROCESSES * byKey.size * PER_KEY
      } calls in ${elapsed.toFixed(0)} ms; ${winners.size} reserved (one per key), won by ${
        winningProcesses.size
      } different processes; ${crossProcessLosers} losers were in another process than the winner`,
    );
    expect(winningProcesses.size).toBeGreaterThan(1);
    expect(crossProcessLosers).toBeGreaterThan(0);
  });

  it('after the leases lapse, the takeover race has exactly one new holder per key, and the old holders are fenced', async () => {
    await new Promise((resolve) => setTimeout(resolve, FIRST_LEASE + 300));
    const started = performance.now();
    const byKey = await race(keys, LONG, true);
    const elapsed = performance.now() - started;
    const { winners, crossProcessLosers } = oneWinnerPerKey(byKey, 'in-flight');
    for (const [key, winner] of winners) {
      expect(winner.token).not.toBe(firstWinners.get(key)?.token);
      expect(winner.completed, `the new holder of ${key} completes it`).toBe(true);
      const old = firstWinners.get(key)?.token as string;
      expect(await store.complete(key, old, new Uint8Array([1]), LONG), `stale token of ${key}`).toBe(false);
    }
    console.info(
      `takeover race: ${PROCESSES * byKey.size * PER_KEY} calls in ${elapsed.toFixed(0)} ms; ${
        winners.size
      } takeovers (one per key, each with a new token); ${crossProcessLosers} cross-process losers; every old token fenced`,
    );

    // Replays: nobody wins, everyone reads the new holder's response.
    const replays = await race(keys, LONG);
    for (const [key, outcomes] of replays) {
      const winner = winners.get(key) as Outcome;
      const expected = Buffer.from(`won by ${winner.fingerprint}`).toString('hex');
      for (const o of outcomes) {
        expect(o).toMatchObject({
          kind: 'existing',
          state: 'completed',
          seen: winner.fingerprint,
          response: expected,
        });
      }
    }
  });
});
