/** Which store a command works on, as the command line names it, and the store once opened. */
import type { IdempotencyStore } from '@idempo/core';

/** The stores the CLI opens. */
export const STORE_NAMES = ['redis', 'postgres', 'mongo'] as const;

/** One of {@link STORE_NAMES}. */
export type StoreName = (typeof STORE_NAMES)[number];

/** A Redis or Valkey server (standalone) and the key prefix of the records. */
export interface RedisTarget {
  readonly kind: 'redis';
  /** `--url`, else `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** `--prefix`; default the store's own, `'idempo:'`. */
  readonly prefix: string;
  /** Bound of connecting and of each operation, in ms (`--timeout-ms`, default 5000). */
  readonly timeoutMs: number;
}

/** A PostgreSQL database and the records table. */
export interface PostgresTarget {
  readonly kind: 'postgres';
  /** `--url`, else `DATABASE_URL`, else `postgres://postgres@127.0.0.1:5432/postgres`. */
  readonly url: string;
  /** `--schema`; default `'public'`. */
  readonly schema: string;
  /** `--table`; default `'idempo_records'`. */
  readonly table: string;
  /** Bound of connecting and of each operation, in ms (`--timeout-ms`, default 5000). */
  readonly timeoutMs: number;
}

/** A MongoDB deployment, database and collection. */
export interface MongoTarget {
  readonly kind: 'mongo';
  /** `--url`, else `MONGODB_URL` (no default). */
  readonly url: string;
  /** `--database`; default the database of the URL (the driver's default, `test`, when it names none). */
  readonly database: string | undefined;
  /** `--collection`; default `'idempo_records'`. */
  readonly collection: string;
  /** Bound of connecting and of each operation, in ms (`--timeout-ms`, default 5000). */
  readonly timeoutMs: number;
}

/** The store a command works on. */
export type StoreTarget = RedisTarget | PostgresTarget | MongoTarget;

/** A store opened for one command. */
export interface OpenedStore {
  /** The store: its optional `get`, `delete` and `stats` are what the commands use. */
  readonly store: IdempotencyStore;
  /** Where the records are, password masked: `redis redis://127.0.0.1:6379, prefix idempo:`. */
  readonly description: string;
  /** Where one record is in the store's own terms: `Redis key idempo:<storage key>`. */
  locate(storageKey: string): string;
  /** Closes the store and every connection opened for it, so that the process can exit. Never throws. */
  close(): Promise<void>;
}
