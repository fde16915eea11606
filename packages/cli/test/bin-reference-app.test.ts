/**
 * The support story end to end: the reference app (apps/reference, Fastify over Redis) serves real HTTP
 * requests, and the built `idempo` command finds their records by what a support ticket carries (the client's
 * key as sent, the caller), explains them, refuses to unstick a running one, and unsticks it with --force: the
 * holder is then fenced out, and the client's retry runs the request again.
 */
import { randomUUID } from 'node:crypto';
import { type ReferenceProcess, startReference } from '@idempo/reference/process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './support/run-bin.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const namespace = `cli_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const prefix = `idempo-ref:${namespace}:`;
let app: ReferenceProcess;

beforeAll(async () => {
  app = await startReference(
    ['--framework', 'fastify', '--store', 'redis', '--namespace', namespace, '--port', '0'],
    { REDIS_URL },
  );
});

afterAll(async () => {
  await app?.stop('SIGKILL');
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const order = (key: string, body: unknown, query = '') =>
  fetch(`${app.url}/orders${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer alice', 'idempotency-key': key },
    body: JSON.stringify(body),
  });

const idempo = (...args: string[]) =>
  runBin([...args, '--store', 'redis', '--prefix', prefix], { REDIS_URL });

async function executions(): Promise<number> {
  const stats = (await (await fetch(`${app.url}/stats`)).json()) as { executions: Record<string, number> };
  return stats.executions['POST /orders'] ?? 0;
}

describe('idempo over the records of the reference app (Fastify, Redis)', () => {
  it('C14 D26 finds a completed order by the header as sent and the caller, and says a retry replays it', async () => {
    const first = await order('"ticket-1"', { item: 'book', qty: 1 });
    expect(first.status).toBe(201);
    const body = await first.text();

    const run = await idempo('inspect', '"ticket-1"', '--principal', 'alice', '--json', '--body');
    expect(run.code, run.stderr).toBe(0);
    const shown = JSON.parse(run.stdout);
    expect(shown).toMatchObject({ found: true, key: 'ticket-1', principal: 'alice', state: 'completed' });
    expect(shown.retry).toBe('replay');
    expect(shown.response).toMatchObject({ status: 201, body, bodyEncoding: 'utf-8' });
    expect(shown.response.headers).toContainEqual(['location', first.headers.get('location')]);

    // Another caller's record is another record (G41): not found under bob.
    const other = await idempo('inspect', 'ticket-1', '--principal', 'bob');
    expect(other.code).toBe(1);
  });

  it('E34 a running order: delete refuses (exit 4); --force unsticks it, fences the holder out, the retry runs', async () => {
    const before = await executions();
    // The same query on every attempt: it is part of the fingerprint.
    const slow = '?delay=8000';
    const running = order('"ticket-2"', { item: 'pen', qty: 2 }, slow);
    running.catch(() => undefined); // awaited below; a failure before that must not be unhandled
    await expect
      .poll(async () => (await idempo('inspect', 'ticket-2', '--principal', 'alice', '--json')).stdout, {
        timeout: 10_000,
      })
      .toContain('"state": "in-flight"');
    const duplicate = await order('"ticket-2"', { item: 'pen', qty: 2 }, slow);
    expect(duplicate.status).toBe(409);

    const refused = await idempo('delete', 'ticket-2', '--principal', 'alice', '--json');
    expect(refused.code, refused.stderr).toBe(4);
    expect(JSON.parse(refused.stdout)).toMatchObject({ deleted: false, refused: 'lease-running' });

    const forced = await idempo('delete', 'ticket-2', '--principal', 'alice', '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ deleted: true, refused: null });

    // The first execution still answers its client, but its response is no longer stored for the key.
    const firstAnswer = await running;
    expect(firstAnswer.status).toBe(201);
    const gone = await idempo('inspect', 'ticket-2', '--principal', 'alice');
    expect(gone.code).toBe(1);
    const retry = await order('"ticket-2"', { item: 'pen', qty: 2 }, slow);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await executions()).toBe(before + 2);
    const stats = await idempo('stats', '--json');
    expect(JSON.parse(stats.stdout)).toMatchObject({ inFlight: 0, leaseExpired: 0, completed: 2 });
  }, 60_000);
});
