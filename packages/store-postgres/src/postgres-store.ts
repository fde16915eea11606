/**
 * The PostgreSQL {@link IdempotencyStore}: one statement, one round trip, per operation, over a `pg` Pool the
 * user owns. README "The SQL, statement by statement" explains each statement and why it is race-correct.
 */
import { CorruptRecordError, type IdempotencyStore, StoreUnavailableError } from '@idempo/core';
import {
  type DeleteOptions,
  type DeleteResult,
  durationArgument,
  positiveIntegerOption,
  type ReserveResult,
  type StoreCallOptions,
  type StoredRecord,
  type StoreStats,
} from '@idempo/core/store';
import { boundedQuery, type QueryBound } from './bounded-query.js';
import { deleteResultOf, storedRecordOf, storeStatsOf } from './operation-rows.js';
import {
  type PostgresStoreOptions,
  type ResolvedPostgresStoreOptions,
  resolvePostgresStoreOptions,
} from './options.js';
import { OverdueCalls } from './overdue-calls.js';
import type { PostgresQueryConfig, PostgresQueryResult } from './pool.js';
import { schemaSql } from './schema.js';
import { statementName } from './statement-name.js';
import { migration, type Statements, statements } from './statements.js';

/** Options of {@link PostgresStore.cleanup}. */
export interface CleanupOptions {
  /** Rows deleted per statement (each batch is its own short transaction). Default `1000`. */
  readonly batchSize?: number | undefined;
}

/** Options of {@link PostgresStore.migrate}. */
export interface MigrateOptions {
  /** Bound of the whole migration in milliseconds, waiting for a concurrent migration included. Default `30000`. */
  readonly timeoutMs?: number | undefined;
}

/** Default of {@link CleanupOptions.batchSize}. */
export const DEFAULT_CLEANUP_BATCH_SIZE = 1_000;

/** Default of {@link MigrateOptions.timeoutMs}. */
export const DEFAULT_MIGRATE_TIMEOUT_MS = 30_000;

type Operation = keyof Statements;

interface ReserveRow {
  readonly fingerprint: string;
  readonly state: string;
  readonly response: Uint8Array | null;
  readonly owned: boolean;
}

function isReserveRow(row: unknown): row is ReserveRow {
  if (typeof row !== 'object' || row === null) return false;
  const r = row as Record<string, unknown>;
  return (
    typeof r['fingerprint'] === 'string' &&
    typeof r['state'] === 'string' &&
    typeof r['owned'] === 'boolean' &&
    (r['response'] === null || r['response'] instanceof Uint8Array)
  );
}

function duration(what: string, value: number): number {
  return durationArgument('PostgresStore', what, value);
}

/**
 * An {@link IdempotencyStore} over PostgreSQL, through a `pg` `Pool` you own.
 *
 * ```ts
 * const store = new PostgresStore({ pool });
 * await store.migrate();
 * const idempotency = createIdempotency({ store });
 * ```
 *
 * Every operation is one statement (one round trip) and decides expiry with the database clock. `reserve`,
 * `complete`, `release` and `extend` arm no timer: core bounds them and passes their deadline, which bounds the
 * server's lock waits and the pool checkout here. `get`, `delete`, `stats` and `cleanup` fail with
 * `StoreTimeoutError` or `StoreUnavailableError` within `timeoutMs`.
 */
export class PostgresStore implements IdempotencyStore {
  readonly #options: ResolvedPostgresStoreOptions;
  readonly #sql: Statements;
  readonly #names: Record<Operation, string>;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #overdue = new OverdueCalls();
  #closed = false;
  #undone = 0;

  /** Validates the options (throws `InvalidOptionsError`); opens nothing. */
  constructor(options: PostgresStoreOptions) {
    this.#options = resolvePostgresStoreOptions(options);
    this.#sql = statements(this.#options.schema, this.#options.table);
    const name = (operation: Operation) => statementName(operation, this.#sql[operation]);
    this.#names = {
      reserve: name('reserve'),
      complete: name('complete'),
      release: name('release'),
      extend: name('extend'),
      cleanup: name('cleanup'),
      get: name('get'),
      delete: name('delete'),
      stats: name('stats'),
    };
  }

  /** The schema-qualified table, as given (`public.idempo_records` by default). */
  get table(): string {
    return `${this.#options.schema}.${this.#options.table}`;
  }

  /**
   * How many reservations committed while their answer was lost (a connection cut after the commit) and were
   * then released by the store, since it was made. For monitoring and tests.
   */
  get undoneReservations(): number {
    return this.#undone;
  }

  /**
   * Creates the table and its expiry index if they do not exist (the DDL of `schemaSql()`, also shipped as
   * `sql/schema.sql`). Idempotent, and safe when several instances run it at once: a transaction-level advisory
   * lock serialises them. The schema must exist. One round trip, one transaction.
   */
  async migrate(options: MigrateOptions = {}): Promise<void> {
    const timeoutMs = positiveIntegerOption(
      'PostgresStore',
      'migrate timeoutMs',
      options.timeoutMs,
      DEFAULT_MIGRATE_TIMEOUT_MS,
    );
    const ddl = schemaSql({ schema: this.#options.schema, table: this.#options.table });
    await this.#track(() =>
      boundedQuery(this.#options.pool, 'migrate', { timeoutMs }, (lockTimeout) => ({
        // One simple-protocol query: its statements run as one implicit transaction, which the advisory lock
        // spans; the lock timeout bounds the wait for a concurrent migration on the server side too.
        text: `SELECT set_config('lock_timeout', '${lockTimeout}', true);\n${migration(ddl)}`,
      })),
    );
  }

  /**
   * Reserves `key` for `fingerprint` with a lease of `leaseMs` and a retention of `ttlMs`, never shorter than the
   * lease (database clock), or returns the live record as it is. A record whose lease lapsed while in flight, or whose retention ended, is
   * taken over with a new token. One statement; replays and in-flight duplicates write nothing.
   *
   * When it fails after the statement was sent and its answer is lost (a lost connection, or a connection the
   * store closed because it was still unanswered well past its deadline), the reservation may have committed under
   * a token nobody was given, and no answer will ever reach core to release it: the store then releases that token
   * in the background (a no-op if nothing committed), so that retries need not wait for the lease to end. An
   * answer that arrives late is core's to give back, not the store's.
   */
  async reserve(
    key: string,
    fingerprint: string,
    leaseMs: number,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<ReserveResult> {
    const token = globalThis.crypto.randomUUID();
    const result = await this.#run(
      'reserve',
      [key, fingerprint, token, duration('leaseMs', leaseMs), duration('ttlMs', ttlMs)],
      this.#core(options),
      true,
      () => this.#undoReservation(key, token, leaseMs),
    );
    const row = result.rows[0];
    if (result.rows.length !== 1 || !isReserveRow(row)) {
      throw new CorruptRecordError(`PostgresStore reserve: expected one record, got ${result.rows.length}`);
    }
    if (row.owned) return { kind: 'reserved', token };
    if (row.state === 'in-flight')
      return { kind: 'existing', state: 'in-flight', fingerprint: row.fingerprint };
    if (row.state === 'completed' && row.response !== null) {
      return { kind: 'existing', state: 'completed', fingerprint: row.fingerprint, response: row.response };
    }
    throw new CorruptRecordError(
      `PostgresStore reserve: record in unknown state ${JSON.stringify(row.state)}`,
    );
  }

  /**
   * Stores `response` and marks the record completed, kept `ttlMs` from now. `false`, writing nothing, unless
   * `token` holds the record in flight (its lease may have lapsed: until taken over, the holder still holds it).
   */
  async complete(
    key: string,
    token: string,
    response: Uint8Array,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    const result = await this.#run(
      'complete',
      [key, token, response, duration('ttlMs', ttlMs)],
      this.#core(options),
    );
    return result.rowCount === 1;
  }

  /** Deletes the in-flight record so that a retry runs again. `false`, deleting nothing, unless `token` holds it. */
  async release(key: string, token: string, options?: StoreCallOptions): Promise<boolean> {
    const result = await this.#run('release', [key, token], this.#core(options));
    return result.rowCount === 1;
  }

  /**
   * Moves the lease to `leaseMs` from now (the heartbeat), and the retention to at least as far, never earlier.
   * `false`, writing nothing, unless `token` holds it.
   */
  async extend(key: string, token: string, leaseMs: number, options?: StoreCallOptions): Promise<boolean> {
    const result = await this.#run('extend', [key, token, duration('leaseMs', leaseMs)], this.#core(options));
    return result.rowCount === 1;
  }

  /**
   * Deletes rows past their retention, `batchSize` per statement, until a batch finds fewer; resolves with the
   * number deleted. Live rows, in flight or completed, are never touched (an in-flight row whose lease lapsed is
   * left to `reserve`, which takes it over). Several instances may run it at once: each batch locks its rows with
   * `FOR UPDATE SKIP LOCKED`, so every expired row is deleted by exactly one of them. Expiry never depends on it
   * (reserve decides expiry on read): it only keeps the table small.
   */
  async cleanup(options: CleanupOptions = {}): Promise<number> {
    const batchSize = positiveIntegerOption(
      'PostgresStore',
      'batchSize',
      options.batchSize,
      DEFAULT_CLEANUP_BATCH_SIZE,
    );
    let deleted = 0;
    for (;;) {
      const result = await this.#run('cleanup', [batchSize], this.#own(), false);
      const count = result.rowCount ?? 0;
      deleted += count;
      if (count < batchSize) return deleted;
    }
  }

  /**
   * Operations: the record of `key` as it is now (state, fingerprint, when it was reserved, its lease while in
   * flight, its retention, and the stored response once completed), or `undefined` when there is none or its
   * retention has ended by the database clock. Never the token. One primary-key read: it takes no lock, writes
   * nothing and never takes a record over. `createdAt` is `undefined` for a row written by a version of the store
   * that did not keep it.
   */
  async get(key: string): Promise<StoredRecord | undefined> {
    const result = await this.#run('get', [key], this.#own(), false);
    return storedRecordOf(result.rows);
  }

  /**
   * Operations: deletes the record of `key` so that the next request with the key runs afresh, unless it is in
   * flight with its lease running: its handler may still be running, and deleting it would let a retry run the
   * request a second time beside it. Decided and done in one statement, by the database clock, on the row's newest
   * version (a takeover racing it is waited for, then judged): `'deleted'` when a live row was deleted;
   * `'in-flight'` when it was kept, its lease running and `force` not set; `'not-found'` when there was no live
   * row (a row past retention is deleted all the same). With `force` a running row is deleted too and its holder
   * is fenced out: its `complete`, `release` and `extend` return `false`. Bounded by `timeoutMs` like the others
   * (a row lock held elsewhere ends it with `StoreTimeoutError`, deleting nothing).
   */
  async delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    const result = await this.#run('delete', [key, options.force === true], this.#own());
    return deleteResultOf(result.rows);
  }

  /**
   * Operations: counts of the live rows (within retention, by the database clock) by state: in flight with the
   * lease running, in flight with the lease over, completed. One aggregate statement, run on the server (nothing
   * but the three counts crosses the wire); it reads every live row, so on a large table give the store that
   * runs it a `timeoutMs` to match. Rows past retention are not counted, whether or not `cleanup()` has deleted
   * them yet.
   */
  async stats(): Promise<StoreStats> {
    const result = await this.#run('stats', [], this.#own(), false);
    return storeStatsOf(result.rows);
  }

  /**
   * Waits for the operations under way, then refuses new ones (`StoreUnavailableError`). Leaves the pool open:
   * it is yours to `end()`. A call core made that is still unanswered well past its deadline is not waited for:
   * its connection is closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#pending.size > 0) {
      const due = this.#overdue.nextDue();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const overdue = new Promise<void>((resolve) => {
        if (due !== undefined) timer = setTimeout(resolve, Math.max(0, due - Date.now()));
      });
      await Promise.race([Promise.allSettled([...this.#pending]), overdue]);
      clearTimeout(timer);
      this.#overdue.reap();
    }
  }

  /** The bound of a call core makes: its deadline, no timer of the store's. */
  #core(options: StoreCallOptions | undefined): QueryBound {
    return { deadline: options?.deadline, overdue: this.#overdue };
  }

  /** The bound of the operations calls, which core never makes: the store's own `timeoutMs`. */
  #own(): QueryBound {
    return { timeoutMs: this.#options.timeoutMs };
  }

  /** Runs one of the statements within `bound`. */
  #run(
    operation: Operation,
    values: unknown[],
    bound: QueryBound,
    lockGuard = true,
    onUncertain?: () => void,
  ): Promise<PostgresQueryResult> {
    return this.#track(() => this.#query(operation, values, bound, lockGuard, onUncertain));
  }

  #query(
    operation: Operation,
    values: unknown[],
    bound: QueryBound,
    lockGuard: boolean,
    onUncertain?: () => void,
  ): Promise<PostgresQueryResult> {
    const { pool, preparedStatements } = this.#options;
    const text = this.#sql[operation];
    const name = this.#names[operation];
    return boundedQuery(
      pool,
      operation,
      bound,
      (lockTimeout) => {
        // `values` is this call's own array (built once per call), so the lock timeout is appended in place.
        if (lockGuard) values.push(lockTimeout);
        const config: PostgresQueryConfig = preparedStatements ? { text, values, name } : { text, values };
        return config;
      },
      onUncertain,
    );
  }

  /**
   * Releases a reservation that may have committed while its answer was lost. Token-fenced, so it can only
   * delete the record this very call created. The statement may still be waiting on the server (behind a lock
   * taken before its own lock timeout applies, or in a slow network) and commit after a first release found
   * nothing; so the release is retried with backoff until it deletes the record, the reservation's own lease
   * would have freed the key anyway, or the store is closed. Awaited by `close()`; its first try runs even after.
   */
  #undoReservation(key: string, token: string, leaseMs: number): void {
    const deadline = Date.now() + leaseMs;
    const undo = (async () => {
      for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2_000)) {
        try {
          // The store's own call, not core's: bounded by its own timeoutMs.
          const result = await this.#query('release', [key, token], this.#own(), true);
          if (result.rowCount === 1) {
            this.#undone++;
            return;
          }
        } catch {
          // The fault outlasts this try; the next one may succeed.
        }
        if (this.#closed || Date.now() + delayMs >= deadline) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          (timer as { unref?: () => void }).unref?.();
        });
      }
    })();
    this.#pending.add(undo);
    undo.then(() => this.#pending.delete(undo));
  }

  /** Starts an operation unless the store is closed, and remembers it until it settles (for `close`). */
  #track<T>(start: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('PostgresStore is closed'));
    const operation = start();
    this.#pending.add(operation);
    const forget = () => this.#pending.delete(operation);
    operation.then(forget, forget);
    return operation;
  }
}
