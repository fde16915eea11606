/**
 * The store of one start: a fresh namespace (Redis key prefix, PostgreSQL table) unless `--namespace` names a
 * shared one, its migration run, and a `close` that frees what this process opened.
 */
import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import { MongoStore } from '@idempo/store-mongo';
import { PostgresStore } from '@idempo/store-postgres';
import { RedisStore } from '@idempo/store-redis';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
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

async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * Opens the named store. Throws with a readable message when its server cannot be reached. A fresh namespace
 * (no `--namespace`) is removed again on close; a shared one is left for the other processes.
 */
export async function openStore(name: Exclude<StoreName, 'none'>, shared?: string): Promise<OpenStore> {
  const namespace = shared ?? freshNamespace();
  const ephemeral = shared === undefined;
  switch (name) {
    case 'memory': {
      const store = new MemoryStore({ maxEntries: 1_000_000, maxBytes: 1024 * 1024 * 1024 });
      return { store, description: 'memory', close: () => store.close() };
    }
    case 'redis': {
      const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
      // enableAutoPipelining: the commands of concurrent requests share one write (store-redis README).
      const client = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        enableAutoPipelining: true,
      });
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
          if (ephemeral) await deleteByPrefix(client, prefix);
          await client.quit().catch(() => client.disconnect());
        },
      };
    }
    case 'postgres': {
      const connectionString = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      const pool = new pg.Pool({
        connectionString,
        max: 20,
        // A connect lost on the network would otherwise hold its slot until the server's authentication_timeout.
        connectionTimeoutMillis: 5_000,
        application_name: `idempo-reference-${namespace}`,
      });
      // An idle pooled connection that the server terminates emits 'error' on the pool; without a listener it
      // would crash the process. The pool replaces the connection; operations in flight fail with a typed error.
      pool.on('error', (error) =>
        console.error(`reference app: a pooled PostgreSQL connection failed: ${error.message}`),
      );
      // pg emits 'error' on a connection whose backend is terminated while no query runs on it, whoever holds it at
      // that moment; every connection gets a listener so that such an error is logged, never uncaught.
      pool.on('connect', (client) =>
        client.on('error', (error) =>
          console.error(`reference app: a PostgreSQL connection failed: ${error.message}`),
        ),
      );
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
          if (ephemeral) await pool.query(`DROP TABLE IF EXISTS public.${table}`);
          await pool.end();
        },
      };
    }
    case 'mongo': {
      const url = process.env['MONGODB_URL'];
      if (!url) throw new Error('--store mongo needs MONGODB_URL (there is no default MongoDB server)');
      const client = await MongoClient.connect(url, { serverSelectionTimeoutMS: 5_000 }).catch(
        (error: unknown) => {
          throw new Error(`cannot reach MongoDB at ${url}: ${String(error)}`);
        },
      );
      const collection = client.db().collection(`idempo_ref_${namespace}`);
      const store = new MongoStore({ collection });
      await store.ensureIndexes();
      return {
        store,
        description: `mongo ${url} collection idempo_ref_${namespace}`,
        async close() {
          await store.close();
          if (ephemeral) await collection.drop().catch(() => undefined);
          await client.close();
        },
      };
    }
  }
}
