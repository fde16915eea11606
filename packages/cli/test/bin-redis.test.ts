/**
 * The built `idempo` command as a process against the real Redis: records written by core's engine through
 * RedisStore, then inspected, deleted and counted by the command. Every run must exit promptly after its answer
 * (no connection left open), and within its --timeout-ms on a server that does not answer.
 */
import { storageKey } from '@idempo/core/store';
import { afterAll, describe, expect, it } from 'vitest';
import { redisNamespaces } from './support/redis-namespaces.js';
import { runBin } from './support/run-bin.js';
import { order } from './support/service.js';
import { closedPort } from './support/silent-server.js';

const redis = redisNamespaces('bin');
afterAll(() => redis.cleanup());

/** A process that answered must be gone soon after: well under ioredis' 2 s disconnect timer. */
const PROMPT_EXIT_MS = 1_000;

function idempo(prefix: string, ...args: string[]) {
  return runBin([...args, '--store', 'redis', '--prefix', prefix]);
}

describe('idempo against Redis', () => {
  it('inspect: a completed record written by the engine, as text and as JSON', async () => {
    const { store, prefix } = redis.namespace();
    await order(store, { key: 'order-1', principal: 'alice' });
    const digest = await storageKey({ key: 'order-1', principal: 'alice' });

    const text = await idempo(prefix, 'inspect', 'order-1', '--principal', 'alice');
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
    expect(text.stdout).toContain(`store        redis at redis://127.0.0.1:6379, prefix ${prefix}\n`);
    expect(text.stdout).toContain(`storage key  ${digest}\n`);
    expect(text.stdout).toContain(`location     Redis key ${prefix}${digest}\n`);
    expect(text.stdout).toContain('state        completed\n');
    expect(text.stdout).toMatch(/created {6}\d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s ago\)\n/);
    expect(text.stdout).toContain('response     201 Created, 2 headers, body 23 bytes\n');
    expect(text.stdout).toContain('a retry gets the stored 201 Created again (a replay);');
    expect(text.lingerMs).toBeLessThan(PROMPT_EXIT_MS);

    const json = await idempo(prefix, 'inspect', 'order-1', '--principal', 'alice', '--json', '--body');
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout);
    expect(view).toMatchObject({
      found: true,
      storageKey: digest,
      state: 'completed',
      retry: 'replay',
      response: { status: 201, bodyBytes: 23, body: '{"id":42,"amount":1000}', bodyEncoding: 'utf-8' },
    });
    expect(Math.abs(Date.parse(view.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(json.lingerMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('no record: exit 1', async () => {
    const { prefix } = redis.namespace();
    const run = await idempo(prefix, 'inspect', 'never-sent');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('no record');
    expect(run.lingerMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('delete: refuses a running lease (exit 4), deletes with --force; a retry then runs afresh', async () => {
    const { store, prefix } = redis.namespace();
    await order(store, { key: 'slow' }, {}, true);
    const digest = await storageKey({ key: 'slow' });

    const refused = await idempo(prefix, 'delete', 'slow');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('a retry run the request a second time');
    expect((await store.get(digest))?.state).toBe('in-flight');

    const forced = await idempo(prefix, 'delete', 'slow', '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({
      state: 'in-flight',
      leaseRunning: true,
      deleted: true,
    });
    expect(await store.get(digest)).toBeUndefined();
    expect(await order(store, { key: 'slow' })).toEqual({ kind: 'execute', status: 201 });
    expect(forced.lingerMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('delete: a lease that ended (E35) and a completed record go without --force', async () => {
    const { store, prefix } = redis.namespace();
    await order(store, { key: 'crashed', leaseMs: 50 }, {}, true);
    await order(store, { key: 'done' });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const inspected = await idempo(prefix, 'inspect', 'crashed');
    expect(inspected.stdout).toMatch(
      /state {8}in flight, lease ENDED \d+ s ago: the handler is presumed dead/,
    );
    expect((await idempo(prefix, 'delete', 'crashed')).code).toBe(0);
    expect((await idempo(prefix, 'delete', 'done')).code).toBe(0);
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
  });

  it("stats: this prefix's records by state, as text and JSON", async () => {
    const { store, prefix } = redis.namespace();
    await order(store, { key: 'a' });
    await order(store, { key: 'b' });
    await order(store, { key: 'c' });
    await order(store, { key: 'crashed', leaseMs: 50 }, {}, true);
    await order(store, { key: 'slow' }, {}, true);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const text = await idempo(prefix, 'stats');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('in flight    1  lease running');
    expect(text.stdout).toContain('lease ended  1  handler presumed dead');
    expect(text.stdout).toContain('completed    3  a retry gets the stored response');
    const json = await idempo(prefix, 'stats', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ inFlight: 1, leaseExpired: 1, completed: 3, total: 5 });
    expect(json.lingerMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('REDIS_URL is the default --url', async () => {
    const { store, prefix } = redis.namespace();
    await order(store, { key: 'env' });
    const port = await closedPort();
    // A wrong REDIS_URL fails; --url wins over it.
    const wrong = await runBin(['inspect', 'env', '--store', 'redis', '--prefix', prefix], {
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(wrong.code).toBe(3);
    const right = await runBin(
      ['inspect', 'env', '--store', 'redis', '--prefix', prefix, '--url', 'redis://127.0.0.1:6379'],
      {
        REDIS_URL: `redis://127.0.0.1:${port}`,
      },
    );
    expect(right.code).toBe(0);
  });

  it('an unreachable port: exit 3 at once, the cause and the store named, the password masked', async () => {
    const port = await closedPort();
    const run = await runBin(['stats', '--store', 'redis', '--url', `redis://:s3cret-pw@127.0.0.1:${port}`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`idempo: store error: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(run.stderr).toContain(`store: redis at redis://:***@127.0.0.1:${port}, prefix idempo:`);
    expect(run.stderr).toContain('hint: nothing listens there');
    expect(run.stderr).not.toContain('s3cret-pw');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.ms).toBeLessThan(5_000);
    expect(run.lingerMs).toBeLessThan(PROMPT_EXIT_MS);
  });
});
