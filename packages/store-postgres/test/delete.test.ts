/**
 * delete(key, { force }) decides and deletes in its one statement, by the database clock, on the row's newest
 * version. The races are made deterministic: the writer (a takeover, a complete, a release: the store's own
 * statements) holds its transaction open until the delete is seen waiting for the row lock, so the delete's
 * statement snapshot is surely older than the version it must judge.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { statements } from '../src/statements.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';

const LONG = 60_000;
const DAY = 86_400_000;
const bytes = (text: string) => new TextEncoder().encode(text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let db: TestSchema;
let store: PostgresStore;
beforeAll(async () => {
  db = await createTestSchema('delete');
  store = await db.store();
});
afterAll(() => db?.drop());

async function reserved(key: string, leaseMs = LONG): Promise<string> {
  const result = await store.reserve(key, 'fp-old', leaseMs, LONG);
  if (result.kind !== 'reserved') throw new Error(`${key} was not reserved`);
  return result.token;
}

const rowOf = async (key: string) =>
  (
    await db.admin.query<{ token: string; state: string; lease_running: boolean }>(
      `SELECT token, state, lease_expires_at > now() AS lease_running FROM "${db.schema}".idempo_records WHERE key = $1`,
      [key],
    )
  ).rows[0];

/** Resolves once a statement of the store's pool waits for a lock (the delete, blocked by the writer). */
async function deleteWaitsForLock(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rowCount } = await db.admin.query(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
      [db.applicationName],
    );
    if (rowCount) return;
    await sleep(10);
  }
  throw new Error('the delete never waited for the row lock');
}

describe('delete: by the database clock', () => {
  it('E34 keeps an in-flight record whose lease runs by the server clock (deleted with force), though the application clock says it ended', async () => {
    const key = 'clock:running';
    const token = await reserved(key, 5_000);
    const spy = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + DAY);
    try {
      expect(await rowOf(key)).toMatchObject({ state: 'in-flight', lease_running: true });
      expect(await store.delete(key)).toBe('in-flight');
      expect(await store.delete(key, { force: false })).toBe('in-flight');
      expect(await rowOf(key)).toMatchObject({ token, state: 'in-flight' });
      expect(await store.delete(key, { force: true })).toBe('deleted');
    } finally {
      spy.mockRestore();
    }
    expect(await rowOf(key)).toBeUndefined();
    expect(await store.complete(key, token, bytes('fenced out'), LONG)).toBe(false);
  });

  it('E35 deletes without force an in-flight record whose lease ended by the server clock, though the application clock says it runs', async () => {
    const key = 'clock:ended';
    const token = await reserved(key, 50);
    await sleep(150);
    const spy = vi.spyOn(Date, 'now').mockReturnValue(Date.now() - DAY);
    try {
      expect(await rowOf(key)).toMatchObject({ state: 'in-flight', lease_running: false });
      expect(await store.delete(key)).toBe('deleted');
    } finally {
      spy.mockRestore();
    }
    expect(await rowOf(key)).toBeUndefined();
    expect(await store.complete(key, token, bytes('fenced out'), LONG)).toBe(false);
  });
});

describe("delete: on the row's newest version, not the statement's snapshot", () => {
  const sql = () => statements(db.schema, 'idempo_records');

  /**
   * Runs `write` (one of the store's statements) in a transaction held open until `remove` waits for the row's
   * lock, then commits it; resolves with what `remove` said and the row after it.
   */
  async function racing(
    write: (client: pg.PoolClient) => Promise<unknown>,
    remove: () => Promise<unknown>,
    key: string,
  ) {
    const writer = await db.admin.connect();
    try {
      await writer.query('BEGIN');
      await write(writer);
      const outcome = remove();
      await deleteWaitsForLock();
      await writer.query('COMMIT');
      return { outcome: await outcome, row: await rowOf(key) };
    } finally {
      writer.release();
    }
  }

  it("E35 racing a takeover, delete waits for it and keeps the new holder's running record ('in-flight')", async () => {
    const key = 'race:takeover';
    const old = await reserved(key, 50);
    await sleep(150);
    const fresh = globalThis.crypto.randomUUID();
    const { outcome, row } = await racing(
      async (writer) => {
        const { rows } = await writer.query(sql().reserve, [key, 'fp-new', fresh, LONG, LONG, '1000']);
        expect(rows).toMatchObject([{ owned: true }]);
      },
      () => store.delete(key),
      key,
    );
    // The statement's snapshot saw the old holder's lease ended: judged on it, the new record would be gone.
    expect(outcome).toBe('in-flight');
    expect(row).toEqual({ token: fresh, state: 'in-flight', lease_running: true });
    expect(await store.complete(key, old, bytes('stale'), LONG)).toBe(false);
    expect(await store.complete(key, fresh, bytes('new holder'), LONG)).toBe(true);
  });

  it("racing a takeover, delete with force deletes the new holder's record ('deleted')", async () => {
    const key = 'race:takeover-forced';
    await reserved(key, 50);
    await sleep(150);
    const fresh = globalThis.crypto.randomUUID();
    const { outcome, row } = await racing(
      (writer) => writer.query(sql().reserve, [key, 'fp-new', fresh, LONG, LONG, '1000']),
      () => store.delete(key, { force: true }),
      key,
    );
    expect(outcome).toBe('deleted');
    expect(row).toBeUndefined();
    expect(await store.complete(key, fresh, bytes('fenced out'), LONG)).toBe(false);
  });

  it("racing a complete, delete deletes the completed record ('deleted'), though its snapshot saw it running", async () => {
    const key = 'race:complete';
    const token = await reserved(key);
    const { outcome, row } = await racing(
      async (writer) => {
        const { rowCount } = await writer.query(sql().complete, [key, token, bytes('done'), LONG, '1000']);
        expect(rowCount).toBe(1);
      },
      () => store.delete(key),
      key,
    );
    expect(outcome).toBe('deleted');
    expect(row).toBeUndefined();
  });

  it("racing a release, delete finds no record ('not-found')", async () => {
    const key = 'race:release';
    const token = await reserved(key);
    const { outcome, row } = await racing(
      async (writer) => {
        const { rowCount } = await writer.query(sql().release, [key, token, '1000']);
        expect(rowCount).toBe(1);
      },
      () => store.delete(key, { force: true }),
      key,
    );
    expect(outcome).toBe('not-found');
    expect(row).toBeUndefined();
  });

  it("concurrent deletes of one record: exactly one says 'deleted', the others 'not-found'", async () => {
    const key = 'race:deletes';
    const token = await reserved(key);
    expect(await store.complete(key, token, bytes('done'), LONG)).toBe(true);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.delete(key)));
    expect(outcomes.filter((o) => o === 'deleted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'not-found')).toHaveLength(7);
    expect(await rowOf(key)).toBeUndefined();
  });
});
