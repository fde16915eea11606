/**
 * The store of one start: a fresh namespace (Redis key prefix, PostgreSQL table) unless `--namespace` names a
 * shared one, its migration run, and a `close` that frees what this process opened.
 */
import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import { PostgresStore } from '@idempo/store-postgres';
import { RedisStore } from '@idempo/store-redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { StoreName } from './args.js';

/** An opened store and how to close it (the store, then its client). */
export interface OpenStore {
  readonly store: IdempotencyStore;
  /** Where the records live, for the start-up log. */
  readonly description: string;
  close(): Promise<void>;
}

function freshNamespace(): string {
  return `r${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** Opens the named store. Throws with a readable message when its server cannot be reached. */
export async function openStore(name: StoreName, namespace = freshNamespace()): Promise<OpenStore> {
  switch (name) {
    case 'memory': {
      const store = new MemoryStore({ maxEntries: 1_000_000, maxBytes: 1024 * 1024 * 1024 });
      return { store, description: 'memory', close: () => store.close() };
    }
    case 'redis': {
      const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect().catch((error: unknown) => {
        client.disconnect();
        throw new Error(`cannot reach Redis at ${url}: ${String(error)}`);
      });
      const prefix = `idempo-ref:${namespace}:`;
      const store = new RedisStore({ client, prefix });
      return {
        store,
        description: `redis ${url} prefix ${prefix}`,
        async close() {
          await store.close();
          await client.quit().catch(() => client.disconnect());
        },
      };
    }
    case 'postgres': {
      const connectionString = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      const pool = new pg.Pool({
        connectionString,
        max: 20,
        application_name: `idempo-reference-${namespace}`,
      });
      const table = `idempo_ref_${namespace}`;
      const store = new PostgresStore({ pool, table });
      try {
        await store.migrate();
      } catch (error) {
        await pool.end();
        throw new Error(`cannot migrate PostgreSQL at ${connectionString}: ${String(error)}`);
      }
      return {
        store,
        description: `postgres ${connectionString} table public.${table}`,
        async close() {
          await store.close();
          await pool.end();
        },
      };
    }
    case 'mongo':
      throw new Error('the mongo store is not available yet (it comes with @idempo/store-mongo)');
  }
}
