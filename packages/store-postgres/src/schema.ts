/**
 * The table's DDL: the one source of truth for both {@link PostgresStore.migrate} and the shipped
 * `sql/schema.sql` (written from {@link schemaSql} with the default names by `pnpm schema-sql`; a test checks that
 * the file and this function agree byte for byte).
 */
import { checkSchema, checkTable, INDEX_SUFFIX, quoteIdentifier } from './identifiers.js';

/** Default table name of the records. */
export const DEFAULT_TABLE = 'idempo_records';

/** Default schema of the table. */
export const DEFAULT_SCHEMA = 'public';

/** Where the records live. */
export interface SchemaNames {
  /** The table. Default `'idempo_records'`. */
  readonly table?: string | undefined;
  /** The schema, which must already exist. Default `'public'`. */
  readonly schema?: string | undefined;
}

/**
 * The DDL that creates the records table and its expiry index, idempotent (`IF NOT EXISTS`), for a migration
 * tool of your own. It also adds the `created_at` column to a table created by an earlier version (a nullable
 * column without a default: a catalog change, no table rewrite), in a `DO` block that runs the `ALTER TABLE` only
 * when the column is missing, so that a migration at every start takes no `ACCESS EXCLUSIVE` lock. `PostgresStore.migrate()` runs exactly this text, plus an advisory lock so that several
 * instances may run it at once. Names are validated and quoted.
 */
export function schemaSql(names: SchemaNames = {}): string {
  const table = checkTable(names.table ?? DEFAULT_TABLE);
  const schema = checkSchema(names.schema ?? DEFAULT_SCHEMA);
  const qualified = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  const name = (suffix: string) => quoteIdentifier(`${table}${suffix}`);
  return `-- @idempo/store-postgres: one row per idempotency key.
--   key               the storage key core derives (a hash); bytewise collation, the primary key
--   fingerprint       the request fingerprint the key was first used with
--   token             the fencing token of the current holder (complete, release and extend must present it)
--   state             'in-flight' while the handler runs, then 'completed'
--   response          the stored response (core's opaque encoding); set exactly when completed
--   lease_expires_at  while in flight: after this instant the next reserve takes the key over
--   expires_at        retention: after this instant the row is dead (taken over on reserve, deleted by cleanup)
--   created_at        when the current holder reserved the key (a takeover writes a new one); NULL in rows
--                     written before the column existed
-- The DO block adds created_at to a table made by an earlier version: a nullable column without a default, so a
-- catalog change, no rewrite. It runs the ALTER TABLE only when the column is missing, because ALTER TABLE takes
-- an ACCESS EXCLUSIVE lock even when IF NOT EXISTS makes it a no-op: run at every start, it would wait for any
-- long reader of the table (a pg_dump) while every reserve queued behind it.
-- All instants come from the database clock. Written from schemaSql() in src/schema.ts: do not edit by hand.
CREATE TABLE IF NOT EXISTS ${qualified} (
  "key" text COLLATE "C" NOT NULL,
  "fingerprint" text NOT NULL,
  "token" text NOT NULL,
  "state" text NOT NULL,
  "response" bytea,
  "lease_expires_at" timestamptz NOT NULL,
  "expires_at" timestamptz NOT NULL,
  "created_at" timestamptz,
  CONSTRAINT ${name('_pkey')} PRIMARY KEY ("key"),
  CONSTRAINT ${name('_state_check')} CHECK ("state" IN ('in-flight', 'completed')),
  CONSTRAINT ${name('_response_check')} CHECK (("state" = 'completed') = ("response" IS NOT NULL))
) WITH (fillfactor = 90);
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = '${qualified}'::regclass AND attname = 'created_at' AND NOT attisdropped) THEN
    ALTER TABLE ${qualified} ADD COLUMN IF NOT EXISTS "created_at" timestamptz;
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS ${name(INDEX_SUFFIX)} ON ${qualified} ("expires_at");
`;
}
