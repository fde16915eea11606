-- @idempo/store-postgres: one row per idempotency key.
--   key               the storage key core derives (a hash); bytewise collation, the primary key
--   fingerprint       the request fingerprint the key was first used with
--   token             the fencing token of the current holder (complete, release and extend must present it)
--   state             'in-flight' while the handler runs, then 'completed'
--   response          the stored response (core's opaque encoding); set exactly when completed
--   lease_expires_at  while in flight: after this instant the next reserve takes the key over
--   expires_at        retention: after this instant the row is dead (taken over on reserve, deleted by cleanup)
-- All instants come from the database clock. Written from schemaSql() in src/schema.ts: do not edit by hand.
CREATE TABLE IF NOT EXISTS "public"."idempo_records" (
  "key" text COLLATE "C" NOT NULL,
  "fingerprint" text NOT NULL,
  "token" text NOT NULL,
  "state" text NOT NULL,
  "response" bytea,
  "lease_expires_at" timestamptz NOT NULL,
  "expires_at" timestamptz NOT NULL,
  CONSTRAINT "idempo_records_pkey" PRIMARY KEY ("key"),
  CONSTRAINT "idempo_records_state_check" CHECK ("state" IN ('in-flight', 'completed')),
  CONSTRAINT "idempo_records_response_check" CHECK (("state" = 'completed') = ("response" IS NOT NULL))
) WITH (fillfactor = 90);
CREATE INDEX IF NOT EXISTS "idempo_records_expires_at_idx" ON "public"."idempo_records" ("expires_at");
