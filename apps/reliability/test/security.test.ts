/**
 * Security (issue 8): no response crosses principals (G41), records hold no request headers, Set-Cookie is not
 * replayed (C22), events name keys by hash only, and a slow request body cannot hold a reservation (the body is
 * read before the key is reserved). Against compiled reference workers over the shared Redis and PostgreSQL.
 */
import { request as httpRequest } from 'node:http';
import { type IdempotencyEvent, MemoryStore } from '@idempo/core';
import { createIdempotency, type IdempotencyRequest } from '@idempo/core/adapter';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshNamespace, startPool, totalExecutions, type Worker } from './support/workers.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Keys per check per store. */
const KEYS = 12;
/** The lease of every worker: short, so that a slow body would outlive any reservation it held. */
const LEASE_MS = 300;

type Framework = 'express' | 'fastify' | 'hono' | 'koa' | 'nest-express' | 'nest-fastify';
type StoreName = 'redis' | 'postgres';

const PLANS: readonly { store: StoreName; frameworks: readonly Framework[] }[] = [
  { store: 'redis', frameworks: ['fastify', 'koa', 'nest-express'] },
  { store: 'postgres', frameworks: ['express', 'hono', 'nest-fastify'] },
];

const random = () => crypto.randomUUID().replaceAll('-', '');

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

async function post(
  url: string,
  key: string,
  headers: Record<string, string>,
  body: string,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'idempotency-key': `"${key}"`, 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** Every byte the store holds under the namespace: Redis keys, field names and values, as raw buffers. */
async function redisRecords(client: Redis, prefix: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = String(next);
    for (const key of keys) {
      out.push(key);
      const type = await client.type(key);
      if (type === 'hash') {
        const fields = await client.hgetallBuffer(key);
        for (const [field, value] of Object.entries(fields)) out.push(Buffer.from(field), value);
      } else if (type === 'string') {
        const value = await client.getBuffer(key);
        if (value) out.push(value);
      } else if (type === 'zset') {
        out.push(...(await client.zrangeBuffer(key, '0', '-1')));
      } else if (type === 'list') {
        out.push(...(await client.lrangeBuffer(key, 0, -1)));
      } else if (type === 'set') {
        out.push(...(await client.smembersBuffer(key)));
      } else {
        throw new Error(`unexpected Redis type ${type} under ${key.toString()}`);
      }
    }
  } while (cursor !== '0');
  return out;
}

/** Every column of every row of the table, as bytes (bytea as its bytes, anything else as its text). */
async function postgresRecords(pool: pg.Pool, table: string): Promise<Buffer[]> {
  const { rows } = await pool.query<Record<string, unknown>>(`SELECT * FROM public.${table}`);
  const out: Buffer[] = [];
  for (const row of rows) {
    for (const value of Object.values(row)) {
      if (Buffer.isBuffer(value)) out.push(value);
      else if (value instanceof Date) out.push(Buffer.from(value.toISOString()));
      else if (typeof value === 'object' && value !== null) out.push(Buffer.from(JSON.stringify(value)));
      else out.push(Buffer.from(String(value)));
    }
  }
  return out;
}

/** Where `secret` appears in `records`: as UTF-8, latin1, hex or base64. */
function leaks(records: readonly Buffer[], secret: string): number {
  const forms = [
    Buffer.from(secret),
    Buffer.from(Buffer.from(secret).toString('hex')),
    Buffer.from(Buffer.from(secret).toString('base64').replace(/=+$/, '')),
  ];
  let found = 0;
  for (const record of records) for (const form of forms) if (record.includes(form)) found++;
  return found;
}

/** Sends `body` in `chunks` pieces spread over `overMs`; resolves with the answer once the server has sent it. */
function slowPost(
  url: string,
  key: string,
  body: string,
  chunks: number,
  overMs: number,
): { done: Promise<Answer>; bodySentAt: () => number | undefined } {
  const target = new URL(url);
  const bytes = Buffer.from(body);
  let sentAt: number | undefined;
  const done = new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: {
          'idempotency-key': `"${key}"`,
          'content-type': 'application/json',
          'content-length': String(bytes.length),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(parts) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const size = Math.ceil(bytes.length / chunks);
    let index = 0;
    const tick = () => {
      const piece = bytes.subarray(index * size, (index + 1) * size);
      index++;
      if (index >= chunks || piece.length === 0) {
        req.end(piece);
        sentAt = Date.now();
        return;
      }
      req.write(piece);
      setTimeout(tick, overMs / chunks);
    };
    req.flushHeaders();
    setTimeout(tick, 0);
  });
  return { done, bodySentAt: () => sentAt };
}

for (const plan of PLANS) {
  describe(`security over ${plan.store} (${plan.frameworks.join(', ')})`, () => {
    const namespace = freshNamespace('sec');
    const workers: Worker[] = [];
    const pools: { stop(): Promise<void> }[] = [];
    let redis: Redis | undefined;
    let pgPool: pg.Pool | undefined;

    const records = async (): Promise<Buffer[]> => {
      if (plan.store === 'redis') return redisRecords(redis as Redis, `idempo-ref:${namespace}:`);
      return postgresRecords(pgPool as pg.Pool, `idempo_ref_${namespace}`);
    };
    const worker = (i: number) => workers[i % workers.length] as Worker;

    beforeAll(async () => {
      if (plan.store === 'redis') redis = new Redis(REDIS_URL);
      else {
        pgPool = new pg.Pool({
          connectionString: DATABASE_URL,
          max: 2,
          application_name: `idempo-rel-${namespace}`,
        });
        pgPool.on('error', () => {});
      }
      for (const framework of plan.frameworks) {
        const pool = await startPool({
          framework,
          store: plan.store,
          workers: 1,
          namespace,
          leaseMs: LEASE_MS,
        });
        pools.push(pool);
        workers.push(...pool.workers);
      }
    });

    afterAll(async () => {
      await Promise.allSettled(pools.map((pool) => pool.stop()));
      if (redis) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `idempo-ref:${namespace}:*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
        await redis.quit();
      }
      if (pgPool) {
        await pgPool.query(`DROP TABLE IF EXISTS public.idempo_ref_${namespace}`);
        await pgPool.end();
      }
    });

    const resetAll = async () => {
      for (const w of workers) await fetch(`${w.url}/stats/reset`, { method: 'POST' });
    };

    it('G41 a response is never replayed to another principal: same key, alice then bob, two executions', async () => {
      await resetAll();
      const body = JSON.stringify({ item: 'book', qty: 1 });
      let crossReplays = 0;
      for (let i = 0; i < KEYS; i++) {
        const key = `sec-${random()}`;
        const alice = await post(`${worker(i).url}/orders`, key, { authorization: 'Bearer alice' }, body);
        const bob = await post(`${worker(i + 1).url}/orders`, key, { authorization: 'Bearer bob' }, body);
        expect(alice.status).toBe(201);
        expect(bob.status, 'bob runs the handler himself').toBe(201);
        expect(bob.headers.get('idempotent-replayed')).toBeNull();
        if (bob.body.equals(alice.body)) crossReplays++;
        expect(JSON.parse(bob.body.toString())).toMatchObject({ principal: 'bob' });
        // Each one's retry replays their own answer, from any worker.
        const bobAgain = await post(
          `${worker(i + 2).url}/orders`,
          key,
          { authorization: 'Bearer bob' },
          body,
        );
        const aliceAgain = await post(
          `${worker(i + 2).url}/orders`,
          key,
          { authorization: 'Bearer alice' },
          body,
        );
        expect(bobAgain.headers.get('idempotent-replayed')).toBe('true');
        expect(aliceAgain.headers.get('idempotent-replayed')).toBe('true');
        expect(bobAgain.body.equals(bob.body), 'bob gets his own bytes').toBe(true);
        expect(aliceAgain.body.equals(alice.body), 'alice gets her own bytes').toBe(true);
        expect(bobAgain.body.equals(alice.body), 'bob never gets alice bytes').toBe(false);
      }
      const executions = await totalExecutions(workers);
      console.log(
        `[security ${plan.store}] G41: ${KEYS} keys x (alice, bob, 2 retries) = ${KEYS * 4} requests, ${executions} executions (expected ${KEYS * 2}), cross-principal replays ${crossReplays}`,
      );
      expect(crossReplays).toBe(0);
      expect(executions).toBe(KEYS * 2);
    });

    it('records hold no request headers: no Authorization token and no Cookie value in any raw record', async () => {
      const secrets: string[] = [];
      const sent: Buffer[] = [];
      for (let i = 0; i < KEYS; i++) {
        const token = `s3cr3t-token-${random()}`;
        const session = random();
        secrets.push(token, session);
        // ?bytes= answers bytes that do not echo the principal, so only idempo could put the token in a record.
        const first = await post(
          `${worker(i).url}/orders?bytes=64`,
          `sec-${random()}`,
          { authorization: `Bearer ${token}`, cookie: `session=${session}` },
          JSON.stringify({ item: 'secret', qty: i }),
        );
        expect(first.status).toBe(201);
        sent.push(first.body);
      }
      const raw = await records();
      const bytes = raw.reduce((sum, b) => sum + b.length, 0);
      // The reading works: the stored answers are there (else "no secret found" would prove nothing).
      const storedAnswers = sent.filter((body) => raw.some((record) => record.includes(body))).length;
      let found = 0;
      for (const secret of secrets) found += leaks(raw, secret);
      console.log(
        `[security ${plan.store}] records: ${KEYS} requests with a Bearer token and a Cookie, ${raw.length} raw values (${bytes} bytes) read, ${storedAnswers}/${KEYS} stored answers found in them, ${found} secret occurrences`,
      );
      expect(storedAnswers, 'every stored answer is found in the raw records').toBe(KEYS);
      expect(found, 'no token and no cookie value in any record').toBe(0);
    });

    it('C22 Set-Cookie is not replayed (the reference app does not opt in)', async () => {
      let replaysWithCookie = 0;
      for (let i = 0; i < KEYS; i++) {
        const key = `sec-${random()}`;
        const body = JSON.stringify({ item: 'cookie', qty: i });
        const first = await post(`${worker(i).url}/orders`, key, {}, body);
        expect(first.status).toBe(201);
        expect(first.headers.getSetCookie(), 'the handler sets a cookie').toHaveLength(1);
        const replay = await post(`${worker(i + 1).url}/orders`, key, {}, body);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.body.equals(first.body)).toBe(true);
        if (replay.headers.getSetCookie().length > 0) replaysWithCookie++;
      }
      console.log(`[security ${plan.store}] C22: ${KEYS} replays, ${replaysWithCookie} with a Set-Cookie`);
      expect(replaysWithCookie).toBe(0);
    });

    it('a slow request body holds no reservation: a complete duplicate runs at once, one execution in all', async () => {
      await resetAll();
      const outcomes: string[] = [];
      for (let i = 0; i < workers.length; i++) {
        const key = `sec-slow-${random()}`;
        const body = JSON.stringify({ item: 'slow', qty: i, pad: 'x'.repeat(200) });
        const slow = slowPost(`${worker(i).url}/orders`, key, body, 6, 1_500);
        // Let the headers and the first chunks arrive (twice the lease) before the duplicate.
        await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
        const sentAt = Date.now();
        const duplicate = await post(`${worker(i + 1).url}/orders`, key, {}, body);
        const answeredAt = Date.now();
        const bodySentAt = slow.bodySentAt();
        expect(duplicate.status, 'the duplicate is not blocked by the slow request (no 409)').toBe(201);
        expect(duplicate.headers.get('idempotent-replayed')).toBeNull();
        expect(bodySentAt, 'the duplicate answered while the slow body was still being sent').toBeUndefined();
        expect(answeredAt - sentAt, 'the duplicate answers within 5 s').toBeLessThan(5_000);
        const late = await slow.done;
        expect(late.status, 'the slow request, complete at last, replays the duplicate').toBe(201);
        expect(late.headers.get('idempotent-replayed')).toBe('true');
        expect(late.body.equals(duplicate.body)).toBe(true);
        outcomes.push(
          `${plan.frameworks[i % plan.frameworks.length]}: duplicate 201, slow ${late.status} replayed`,
        );
      }
      const executions = await totalExecutions(workers);
      console.log(
        `[security ${plan.store}] slow body (lease ${LEASE_MS} ms, body over 1.5 s): ${outcomes.join('; ')}; executions ${executions} for ${workers.length} keys`,
      );
      expect(executions).toBe(workers.length);
    });
  });
}

describe('events carry a hash of the key, never the key', () => {
  it('no field of any event contains the client key, whatever the outcome', async () => {
    const marker = `RECOGNISABLE-${random()}`;
    const events: IdempotencyEvent[] = [];
    const store = new MemoryStore();
    const engine = createIdempotency<Record<string, string>>({
      store,
      onEvent: (event) => events.push(event),
      principal: (request) => request.context['authorization'],
    });
    const encoder = new TextEncoder();
    const req = (
      key: string,
      body: string,
      principal = 'alice',
    ): IdempotencyRequest<Record<string, string>> => ({
      method: 'POST',
      url: '/orders',
      header: (name) => (name === 'idempotency-key' ? key : undefined),
      body: encoder.encode(body),
      context: { authorization: principal },
    });
    const valid = `"${marker}"`;
    const first = await engine.begin(req(valid, '{"a":1}'));
    expect(first.kind).toBe('execute');
    const inFlight = await engine.begin(req(valid, '{"a":1}'));
    expect(inFlight.kind).toBe('reject');
    const mismatchInFlight = await engine.begin(req(valid, '{"a":2}'));
    expect(mismatchInFlight.kind).toBe('reject');
    if (first.kind === 'execute') await first.commit({ status: 201, body: '{"ok":true}' });
    expect((await engine.begin(req(valid, '{"a":1}'))).kind).toBe('replay');
    expect((await engine.begin(req(valid, '{"a":2}'))).kind).toBe('reject');
    const released = await engine.begin(req(`${marker}-b`, '{}'));
    if (released.kind === 'execute') await released.abandon(new Error('boom'));
    expect((await engine.begin(req(`"${marker}\\x"`, '{}'))).kind).toBe('reject');
    expect((await engine.begin(req(`"${marker}${'z'.repeat(300)}"`, '{}'))).kind).toBe('reject');
    await store.close?.();

    const types = events.map((event) => event.type);
    const serialised = events.map((event) => JSON.stringify(event));
    const leaking = serialised.filter((text) => text.includes(marker));
    console.log(
      `[security events] ${events.length} events (${[...new Set(types)].join(', ')}), ${leaking.length} containing the key`,
    );
    expect(
      new Set(types).size,
      'reserved, in-flight, committed, replayed, mismatch, released, invalid',
    ).toBeGreaterThanOrEqual(5);
    expect(events.some((event) => typeof event.keyHash === 'string' && event.keyHash.length > 0)).toBe(true);
    expect(leaking, 'no event names the key').toEqual([]);
  });
});
