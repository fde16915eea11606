/**
 * The SQL of every operation, one statement each (README "The SQL, statement by statement" explains them).
 *
 * Shared conventions:
 * - every instant is `statement_timestamp()`: the database clock, read once per statement (stable across all the
 *   columns of one statement, so one row is never half taken over), unaffected by an enclosing transaction;
 * - durations arrive as milliseconds (`$n::float8 * interval '1 millisecond'`);
 * - `set_config('lock_timeout', $n, true)` in a one-row subquery is evaluated before the statement waits on a row
 *   lock, so the server itself gives up a lock wait within the caller's remaining time budget. It is
 *   transaction-local: the statement's own implicit transaction ends with it, so nothing leaks into the pooled
 *   session.
 */
import { quoteIdentifier } from './identifiers.js';

/** The texts of the store's statements for one table. */
export interface Statements {
  /**
   * `$1` key, `$2` fingerprint, `$3` new token, `$4` leaseMs, `$5` ttlMs, `$6` lock timeout (ms, text). A new
   * in-flight row is kept `greatest(leaseMs, ttlMs)`: it must outlive its lease.
   */
  readonly reserve: string;
  /** `$1` key, `$2` token, `$3` response, `$4` ttlMs, `$5` lock timeout. */
  readonly complete: string;
  /** `$1` key, `$2` token, `$3` lock timeout. */
  readonly release: string;
  /** `$1` key, `$2` token, `$3` leaseMs, `$4` lock timeout. */
  readonly extend: string;
  /** `$1` batch size. */
  readonly cleanup: string;
  /** `$1` key. Read-only: no lock guard (a plain read never waits for a row lock). */
  readonly get: string;
  /** `$1` key, `$2` force (boolean), `$3` lock timeout. One row (`outcome`), or none when there is no row. */
  readonly delete: string;
  /** No parameter. Read-only, like `get`. */
  readonly stats: string;
}

/** Key of the transaction-level advisory lock that serialises concurrent migrations (ASCII "idempo"). */
export const MIGRATION_LOCK_KEY = '115879919317103';

const NOW = 'statement_timestamp()';
const ms = (param: string) => `${param}::float8 * interval '1 millisecond'`;

/** The statements over `schema.table` (both already validated). */
export function statements(schema: string, table: string): Statements {
  const t = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  // Held by its token: in flight, within retention. The lease may have lapsed: until someone takes the record
  // over, its holder still holds it.
  const held = `r."key" = $1 AND r."token" = $2 AND r."state" = 'in-flight' AND r."expires_at" > ${NOW}`;
  // The existing row may be replaced: past retention, or in flight with its lease over.
  const takeover = `(r."expires_at" <= ${NOW} OR (r."state" = 'in-flight' AND r."lease_expires_at" <= ${NOW}))`;
  const pick = (column: string, fresh: string) =>
    `"${column}" = CASE WHEN ${takeover} THEN ${fresh} ELSE r."${column}" END`;
  const guard = (param: string) => `(SELECT set_config('lock_timeout', ${param}, true)) AS guard`;

  const reserve = `WITH
  live AS (
    SELECT r."fingerprint", r."state", r."response"
    FROM ${t} AS r
    WHERE r."key" = $1
      AND r."expires_at" > ${NOW}
      AND (r."state" = 'completed' OR r."lease_expires_at" > ${NOW})
  ),
  claim AS (
    INSERT INTO ${t} AS r ("key", "fingerprint", "token", "state", "response", "lease_expires_at", "expires_at", "created_at")
    SELECT $1, $2, $3, 'in-flight', NULL, ${NOW} + ${ms('$4')}, ${NOW} + ${ms('greatest($4::float8, $5::float8)')}, ${NOW}
    FROM ${guard('$6')}
    WHERE NOT EXISTS (SELECT FROM live)
    ON CONFLICT ("key") DO UPDATE SET
      ${pick('fingerprint', 'excluded."fingerprint"')},
      ${pick('token', 'excluded."token"')},
      ${pick('state', 'excluded."state"')},
      ${pick('response', 'NULL')},
      ${pick('lease_expires_at', 'excluded."lease_expires_at"')},
      ${pick('expires_at', 'excluded."expires_at"')},
      ${pick('created_at', 'excluded."created_at"')}
    RETURNING r."fingerprint", r."state", r."response", r."token" = $3 AS "owned"
  )
SELECT "fingerprint", "state", "response", "owned" FROM claim
UNION ALL
SELECT "fingerprint", "state", "response", false FROM live`;

  const complete = `UPDATE ${t} AS r
SET "state" = 'completed', "response" = $3, "expires_at" = ${NOW} + ${ms('$4')}
FROM ${guard('$5')}
WHERE ${held}`;

  const release = `DELETE FROM ${t} AS r
USING ${guard('$3')}
WHERE ${held}`;

  // The row lives as long as its lease is held: expires_at moves to at least the new lease's end, never back. With
  // the defaults (a 30 s lease, a 24 h retention) it keeps its value, so the update stays HOT (no index write).
  const extend = `UPDATE ${t} AS r
SET "lease_expires_at" = ${NOW} + ${ms('$3')},
  "expires_at" = greatest(r."expires_at", ${NOW} + ${ms('$3')})
FROM ${guard('$4')}
WHERE ${held}`;

  // The rows are chosen, re-checked and locked by the sub-select (FOR UPDATE re-reads a row updated since the
  // snapshot, and drops it if a takeover made it live again); the lock holds until the DELETE, which finds them
  // by their physical address (a Tid Scan: no second pass over the index). SKIP LOCKED makes concurrent
  // cleanups take disjoint batches, and skips rows a reserve is writing right now.
  const cleanup = `DELETE FROM ${t}
WHERE ctid = ANY (ARRAY(
  SELECT e.ctid FROM ${t} AS e
  WHERE e."expires_at" <= ${NOW}
  LIMIT $1
  FOR UPDATE SKIP LOCKED
))`;

  // Instants leave as milliseconds since the epoch (float8), whatever type parser the pool has for timestamptz.
  const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;
  const retained = `r."expires_at" > ${NOW}`;

  // The operator's read: one primary-key lookup, no lock, no write. A record past retention is not returned
  // (whether or not cleanup has deleted it yet); a lease is shown only while in flight.
  const get = `SELECT r."state", r."fingerprint", r."response",
  ${epochMs('r."created_at"')} AS "created_at",
  CASE WHEN r."state" = 'in-flight' THEN ${epochMs('r."lease_expires_at"')} END AS "lease_expires_at",
  ${epochMs('r."expires_at"')} AS "expires_at"
FROM ${t} AS r
WHERE r."key" = $1 AND ${retained}`;

  // The operator's delete: decides and deletes in this one statement, by the database clock, on the row's newest
  // version. `target` locks the row first: FOR UPDATE waits for a writer (a takeover's reserve, a complete) and
  // re-reads the version it committed, where a plain CTE SELECT would judge the statement's snapshot (a lease-ended
  // row a takeover has just made live again). The DELETE then removes that locked version, unless it is in flight
  // with its lease running and $2 (force) is false; it finds it through its snapshot's version and follows the
  // update chain to it (the row is locked by this statement, so it can no longer change). A row dead by retention
  // is deleted too, but was not live: 'not-found'. No row visible to the statement (none, or one inserted since it
  // began): nothing locked, nothing deleted, no outcome row.
  const running = `r."state" = 'in-flight' AND r."lease_expires_at" > ${NOW} AND ${retained}`;
  const remove = `WITH
  target AS (
    SELECT ${running} AS "running"
    FROM ${t} AS r, ${guard('$3')}
    WHERE r."key" = $1
    FOR UPDATE OF r
  ),
  gone AS (
    DELETE FROM ${t} AS r
    USING target
    WHERE r."key" = $1 AND ($2::boolean OR NOT target."running")
    RETURNING ${retained} AS "live"
  )
SELECT CASE
    WHEN gone."live" THEN 'deleted'
    WHEN gone."live" IS NULL AND target."running" THEN 'in-flight'
    ELSE 'not-found'
  END AS "outcome"
FROM target LEFT JOIN gone ON true`;

  // One pass over the live rows (through the expiry index when most rows are dead), counted by state.
  const stats = `SELECT
  count(*) FILTER (WHERE r."state" = 'in-flight' AND r."lease_expires_at" > ${NOW}) AS "in_flight",
  count(*) FILTER (WHERE r."state" = 'in-flight' AND r."lease_expires_at" <= ${NOW}) AS "lease_expired",
  count(*) FILTER (WHERE r."state" = 'completed') AS "completed"
FROM ${t} AS r
WHERE ${retained}`;

  return { reserve, complete, release, extend, cleanup, get, delete: remove, stats };
}

/** The migration: the advisory lock, then the DDL, sent as one multi-statement query (one implicit transaction). */
export function migration(ddl: string): string {
  return `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});\n${ddl}`;
}
