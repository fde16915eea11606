/**
 * Helpers of the torture suite: one idempotent `POST /orders` over real HTTP, a bounded-concurrency sender,
 * stopping workers for sure, and the records a shared namespace leaves in Redis or PostgreSQL (workers started
 * with `--namespace` keep them on close, so the suite counts and removes them itself).
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Worker } from './workers.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** What one request got back. */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly replayed: boolean;
  readonly retryAfter: string | null;
  readonly location: string | null;
  readonly etag: string | null;
  /** The body as received, compared as text byte for byte (the reference app answers ASCII JSON). */
  readonly body: string;
}

/** One `POST /orders<query>` to `url` with `Idempotency-Key: "<key>"` and the JSON body `{item: key, qty: 1}`. */
export async function postOrder(url: string, key: string, query = ''): Promise<Reply> {
  const response = await fetch(`${url}/orders${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `"${key}"` },
    body: JSON.stringify({ item: key, qty: 1 }),
  });
  const body = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    replayed: response.headers.get('idempotent-replayed') === 'true',
    retryAfter: response.headers.get('retry-after'),
    location: response.headers.get('location'),
    etag: response.headers.get('etag'),
    body,
  };
}

/** What identifies one execution's stored answer: status, Location, ETag and the body bytes. */
export function answerOf(reply: Reply): string {
  return JSON.stringify([reply.status, reply.location, reply.etag, reply.body]);
}

/** Runs `tasks` with at most `limit` in flight; resolves with their results in order. */
export async function runBounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `executions['POST /orders']` of one live worker. */
export async function workerExecutions(worker: Worker): Promise<number> {
  const stats = (await (await fetch(`${worker.url}/stats`)).json()) as { executions: Record<string, number> };
  return stats.executions['POST /orders'] ?? 0;
}

/** SIGTERM to every worker still running; SIGKILL to those not gone after `graceMs`. */
export async function stopWorkers(workers: readonly Worker[], graceMs = 10_000): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      const stopped = worker.stop('SIGTERM');
      const late = setTimeout(() => worker.child.kill('SIGKILL'), graceMs);
      await stopped;
      clearTimeout(late);
    }),
  );
}

async function withRedis<T>(use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function scanNamespace(client: Redis, namespace: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `idempo-ref:${namespace}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** How many records (one hash each) a reference-app namespace holds in Redis. */
export function redisRecords(namespace: string): Promise<number> {
  return withRedis(async (client) => (await scanNamespace(client, namespace)).length);
}

/** Deletes every Redis key of a reference-app namespace (`idempo-ref:<namespace>:*`). */
export function dropRedisNamespace(namespace: string): Promise<void> {
  return withRedis(async (client) => {
    const keys = await scanNamespace(client, namespace);
    for (let i = 0; i < keys.length; i += 500) await client.unlink(...keys.slice(i, i + 500));
  });
}

function tableOf(namespace: string): string {
  if (!/^[a-z0-9_]{1,40}$/.test(namespace)) throw new Error(`not a namespace: ${namespace}`);
  return `public.idempo_ref_${namespace}`;
}

async function withPostgres<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: DATABASE_URL,
    application_name: 'idempo-reliability-torture',
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Rows of a reference-app namespace's PostgreSQL table. */
export function postgresRecords(namespace: string): Promise<number> {
  return withPostgres(async (client) => {
    const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${tableOf(namespace)}`);
    return Number(result.rows[0]?.n ?? 0);
  });
}

/** Drops a reference-app namespace's PostgreSQL table (`public.idempo_ref_<namespace>`). */
export function dropPostgresNamespace(namespace: string): Promise<void> {
  return withPostgres(async (client) => {
    await client.query(`DROP TABLE IF EXISTS ${tableOf(namespace)}`);
  });
}
