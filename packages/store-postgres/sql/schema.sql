-- @idempo/store-postgres: one row per idempotency key.
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
CREATE TABLE IF NOT EXISTS "public"."idempo_records" (
  "key" text COLLATE "C" NOT NULL,
  "fingerprint" text NOT NULL,
  "token" text NOT NULL,
  "state" text NOT NULL,
  "response" bytea,
  "lease_expires_at" timestamptz NOT NULL,
  "expires_at" timestamptz NOT NULL,
  "created_at" timestamptz,
  CONSTRAINT "idempo_records_pkey" PRIMARY KEY ("key"),
  CONSTRAINT "idempo_records_state_check" CHECK ("state" IN ('in-flight', 'completed')),
  CONSTRAINT "idempo_records_response_check" CHECK (("state" = 'completed') = ("response" IS NOT NULL))
) WITH (fillfactor = 90);
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = '"public"."idempo_records"'::regclass AND attname = 'created_at' AND NOT attisdropped) THEN
    ALTER TABLE "public"."idempo_records" ADD COLUMN IF NOT EXISTS "created_at" timestamptz;
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS "idempo_records_expires_at_idx" ON "public"."idempo_records" ("expires_at");
