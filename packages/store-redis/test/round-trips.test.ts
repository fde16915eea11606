/**
 * One command per operation, counted on a private redis-server (nothing else talks to it): MONITOR shows every
 * command each client sends, and which ones a script ran inside the server ("lua"); INFO commandstats confirms
 * the totals. A reserve is one native SET (the reserve script only behind another holder's in-flight record).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { SCRIPT_NAMES } from '../src/redis-client.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { type PrivateRedis, startPrivateRedis } from './support/redis-server.js';

let server: PrivateRedis | undefined;

beforeAll(async () => {
  server = await startPrivateRedis('round-trips');
}, 60_000);

afterAll(async () => {
  await server?.destroy();
}, 60_000);

function url(): string {
  if (!server) throw new Error('the private server did not start');
  return server.url;
}

interface Seen {
  readonly source: string;
  readonly args: readonly string[];
}

for (const io of IOREDIS_VERSIONS) {
  describe(`one round trip per operation (${io.name})`, () => {
    let client: AnyRedis;
    let marker: AnyRedis;
    let monitorOwner: AnyRedis;
    let monitor: Awaited<ReturnType<AnyRedis['monitor']>>;
    let clientAddress = '';
    let markerAddress = '';
    const seen: Seen[] = [];

    beforeAll(async () => {
      client = io.redis(url());
      marker = io.redis(url());
      clientAddress = /(?:^| )addr=(\S+)/.exec(String(await client.client('INFO')))?.[1] ?? '';
      markerAddress = /(?:^| )addr=(\S+)/.exec(String(await marker.client('INFO')))?.[1] ?? '';
      monitorOwner = io.redis(url());
      monitor = await monitorOwner.monitor();
      monitor.on('monitor', (_time: string, args: string[], source: string) => seen.push({ source, args }));
    });

    afterAll(async () => {
      monitor.disconnect();
      await monitorOwner.quit();
      await client.quit();
      await marker.quit();
    });

    /** Runs `operation`, then waits until MONITOR has shown everything sent before a marker; returns what the store's client sent and what scripts ran. */
    async function watch(operation: () => Promise<unknown>): Promise<{ sent: string[]; inScript: string[] }> {
      seen.length = 0;
      await operation();
      const id = `marker-${Math.random()}`;
      await marker.echo(id);
      for (let i = 0; i < 200 && !seen.some((s) => s.source === markerAddress && s.args[1] === id); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return {
        sent: seen.filter((s) => s.source === clientAddress).map((s) => String(s.args[0]).toLowerCase()),
        inScript: seen.filter((s) => s.source === 'lua').map((s) => String(s.args[0]).toLowerCase()),
      };
    }

    it('reserve and a replay send one SET, no script; extend, complete and release one EVAL/EVALSHA each; a reserve behind another holder one SET and one EVALSHA', async () => {
      const store = new RedisStore({ client, prefix: `rt:${io.name.replace(' ', '')}:` });
      const other = new RedisStore({ client: marker, prefix: store.prefix });
      const log: Record<string, { sent: string[]; inScript: string[] }> = {};

      let token = '';
      log['reserve (cold connection)'] = await watch(async () => {
        const r = await store.reserve('a', 'fp', 60_000, 60_000);
        if (r.kind === 'reserved') token = r.token;
      });
      log['extend (cold)'] = await watch(() => store.extend('a', token, 60_000));
      log['complete (cold)'] = await watch(() => store.complete('a', token, new Uint8Array(1024), 60_000));
      log['reserve: replay'] = await watch(() => store.reserve('a', 'fp', 60_000, 60_000));
      await other.reserve('c', 'fp', 60_000, 60_000);
      let second = '';
      log['reserve (warm)'] = await watch(async () => {
        const r = await store.reserve('b', 'fp', 60_000, 60_000);
        if (r.kind === 'reserved') second = r.token;
      });
      log['extend (warm)'] = await watch(() => store.extend('b', second, 30_000));
      log['extend past the expiry (warm)'] = await watch(() => store.extend('b', second, 120_000));
      log['release (cold)'] = await watch(() => store.release('b', second));
      log['release: stale token (warm)'] = await watch(() => store.release('b', second));
      log['complete: stale token (warm)'] = await watch(() =>
        store.complete('b', second, new Uint8Array(1), 1),
      );

      log['reserve: another holder, lease running'] = await watch(() =>
        store.reserve('c', 'fp', 60_000, 60_000),
      );

      console.info(`${io.name}: commands sent per operation (MONITOR)\n${JSON.stringify(log, null, 1)}`);
      // A new key and a replay: one native SET, nothing run in a script.
      for (const operation of ['reserve (cold connection)', 'reserve: replay', 'reserve (warm)']) {
        expect(log[operation], operation).toEqual({ sent: ['set'], inScript: [] });
      }
      // The first call of each script on a connection is EVAL (ioredis loads it); every later one is EVALSHA.
      expect(log['extend (cold)']?.sent).toEqual(['eval']);
      expect(log['complete (cold)']?.sent).toEqual(['eval']);
      expect(log['release (cold)']?.sent).toEqual(['eval']);
      expect(log['extend (warm)']?.sent).toEqual(['evalsha']);
      expect(log['extend past the expiry (warm)']?.sent).toEqual(['evalsha']);
      expect(log['release: stale token (warm)']?.sent).toEqual(['evalsha']);
      expect(log['complete: stale token (warm)']?.sent).toEqual(['evalsha']);
      // An n record (native reserve) is read from the key's expiry: PEXPIRETIME; an f record (after extend) is not.
      expect(log['extend (warm)']?.inScript).toEqual(['get', 'pexpiretime', 'time', 'set', 'pttl']);
      expect(log['complete (cold)']?.inScript).toEqual(['get', 'set']);
      // The key's expiry is read, and moved only when the lease would outlive it [15.2].
      expect(log['extend past the expiry (warm)']?.inScript).toEqual([
        'get',
        'time',
        'set',
        'pttl',
        'pexpire',
      ]);
      expect(log['release (cold)']?.inScript).toEqual(['getrange', 'del']);
      expect(log['release: stale token (warm)']?.inScript).toEqual(['getrange']);
      expect(log['complete: stale token (warm)']?.inScript).toEqual(['get']);
      // Behind another holder's record the native SET answers it, and the script judges its lease by TIME.
      expect(log['reserve: another holder, lease running']).toEqual({
        sent: ['set', 'eval'],
        inScript: ['time', 'get', 'pexpiretime'],
      });
      await client.del(store.redisKey('a'), store.redisKey('b'), store.redisKey('c'));
    });

    it('get and delete send exactly one EVAL/EVALSHA each, reserve one SET; get only reads; delete decides inside its script and reads only the record head', async () => {
      const store = new RedisStore({ client, prefix: `rt-ops:${io.name.replace(' ', '')}:` });
      const log: Record<string, { sent: string[]; inScript: string[] }> = {};
      let token = '';
      log['reserve'] = await watch(async () => {
        const r = await store.reserve('a', 'fp', 60_000, 60_000);
        if (r.kind === 'reserved') token = r.token;
      });
      log['get (cold)'] = await watch(() => store.get('a'));
      log['get (warm)'] = await watch(() => store.get('a'));
      log['get: no record'] = await watch(() => store.get('none'));
      log['delete: lease running, kept (cold)'] = await watch(() => store.delete('a'));
      log['delete: lease running, force (warm)'] = await watch(() => store.delete('a', { force: true }));
      log['delete: no record (warm)'] = await watch(() => store.delete('a'));
      log['reserve again'] = await watch(async () => {
        const r = await store.reserve('a', 'fp', 60_000, 60_000);
        if (r.kind === 'reserved') token = r.token;
      });
      log['complete'] = await watch(() => store.complete('a', token, Uint8Array.of(1), 60_000));
      log['delete: completed (warm)'] = await watch(() => store.delete('a'));
      console.info(`${io.name}: commands sent per operation (MONITOR)\n${JSON.stringify(log, null, 1)}`);
      for (const [operation, { sent }] of Object.entries(log)) {
        expect(sent, operation).toHaveLength(1);
        expect(['eval', 'evalsha', 'set'], operation).toContain(sent[0]);
      }
      expect(log['reserve']).toEqual({ sent: ['set'], inScript: [] });
      expect(log['reserve again']).toEqual({ sent: ['set'], inScript: [] });
      expect(log['get (cold)']?.sent).toEqual(['eval']);
      expect(log['get (warm)']?.sent).toEqual(['evalsha']);
      // Redis >= 7 answers PEXPIRETIME (the expiry itself); older servers would add TIME and PTTL.
      expect(log['get (warm)']?.inScript).toEqual(['get', 'pexpiretime']);
      expect(log['get: no record']?.inScript).toEqual(['get']);
      // The lease is judged by TIME inside the script, in the same atomic step as the DEL it decides.
      expect(log['delete: lease running, kept (cold)']).toEqual({
        sent: ['eval'],
        inScript: ['getrange', 'pexpiretime', 'time'],
      });
      expect(log['delete: lease running, force (warm)']).toEqual({
        sent: ['evalsha'],
        inScript: ['getrange', 'del'],
      });
      expect(log['delete: no record (warm)']).toEqual({ sent: ['evalsha'], inScript: ['getrange'] });
      expect(log['delete: completed (warm)']).toEqual({ sent: ['evalsha'], inScript: ['getrange', 'del'] });
    });

    it('stats: SCAN MATCH the escaped prefix, COUNT 500, then one pipeline per batch (TIME, then GETRANGE of the head and PTTL per key), never more than a batch in hand', async () => {
      const store = new RedisStore({ client, prefix: `rt-stats*:${io.name.replace(' ', '')}:` });
      const n = 1_100;
      for (let i = 0; i < n; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) => store.reserve(`k${i + j}`, 'fp', 60_000, 60_000)),
        );
      }
      // Until MONITOR has shown the reserves (they would count as sent during stats).
      await watch(async () => undefined);
      const { sent } = await watch(async () => {
        expect(await store.stats()).toEqual({ inFlight: n, leaseExpired: 0, completed: 0 });
      });
      const scans = seen
        .filter((s) => s.source === clientAddress && s.args[0]?.toLowerCase() === 'scan')
        .map((s) => [...s.args]);
      // One batch: a SCAN, then TIME and the GETRANGEs (and PTTLs) of the keys it found (none when it found none).
      const batches: number[] = [];
      for (const command of sent) {
        if (command === 'scan') batches.push(0);
        else if (command === 'getrange') batches[batches.length - 1] = (batches.at(-1) ?? 0) + 1;
      }
      console.info(
        `${io.name}: stats of ${n} records: ${batches.length} SCAN calls, GETRANGEs per batch ${batches.join(' ')}`,
      );
      expect(batches.reduce((a, b) => a + b, 0)).toBe(n);
      expect(batches.length).toBeGreaterThan(1);
      expect(Math.max(...batches), 'keys read per batch').toBeLessThan(1_000);
      expect(sent.filter((c) => c === 'time')).toHaveLength(batches.filter((b) => b > 0).length);
      expect(sent.filter((c) => c === 'pttl')).toHaveLength(n);
      expect(sent.filter((c) => !['scan', 'time', 'getrange', 'pttl'].includes(c))).toEqual([]);
      // The `*` of the prefix escaped: `\*` (MONITOR prints the backslash as `\\`).
      for (const args of scans) {
        expect(args.slice(2), JSON.stringify(args)).toEqual([
          'MATCH',
          `${store.prefix.replace('*', '\\\\*')}*`,
          'COUNT',
          '500',
        ]);
      }
      for (let i = 0; i < n; i += 100)
        await client.del(...Array.from({ length: 100 }, (_, j) => store.redisKey(`k${i + j}`)));
    });

    it('after SCRIPT FLUSH the next call costs two commands (NOSCRIPT, then EVAL), then one again', async () => {
      const store = new RedisStore({ client, prefix: `rt-flush:${io.name.replace(' ', '')}:` });
      const held = await store.reserve('warm', 'fp', 60_000, 60_000);
      const token = held.kind === 'reserved' ? held.token : '';
      await store.extend('warm', token, 60_000);
      await marker.script('FLUSH');
      const flushed = await watch(() => store.extend('warm', token, 60_000));
      const after = await watch(() => store.extend('warm', token, 60_000));
      expect(flushed.sent).toEqual(['evalsha', 'eval']);
      expect(after.sent).toEqual(['evalsha']);
      await client.del(store.redisKey('warm'), store.redisKey('x'), store.redisKey('y'));
    });

    it('INFO commandstats: 300 warm operations are 100 SETs and 200 EVALSHA calls, no EVAL, no retry', async () => {
      const store = new RedisStore({ client, prefix: `rt-stats:${io.name.replace(' ', '')}:` });
      // Loads the four scripts on this connection (the previous case flushed them).
      const warm = await store.reserve('warm', 'fp', 60_000, 60_000);
      const warmToken = warm.kind === 'reserved' ? warm.token : '';
      await store.extend('warm', warmToken, 60_000);
      await store.complete('warm', 'stale', Uint8Array.of(1), 60_000);
      await store.release('warm', warmToken);
      await marker.config('RESETSTAT');
      const n = 100;
      for (let i = 0; i < n; i++) {
        const r = await store.reserve(`k${i}`, 'fp', 60_000, 60_000);
        if (r.kind !== 'reserved') throw new Error('not reserved');
        await store.extend(`k${i}`, r.token, 60_000);
        if (i % 2 === 0) await store.complete(`k${i}`, r.token, Uint8Array.of(i), 60_000);
        else await store.release(`k${i}`, r.token);
      }
      const stats = String(await marker.info('commandstats'));
      const calls = (name: string) =>
        Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      console.info(`${io.name}: INFO commandstats after ${3 * n} operations\n${stats.trim()}`);
      expect(calls('evalsha')).toBe(2 * n);
      expect(calls('eval')).toBe(0);
      expect(stats).toMatch(/cmdstat_evalsha:.*failed_calls=0/);
      // The reserves' SETs, and the commands run inside the scripts, counted by Redis too: extend GET, SET; complete
      // GET, SET; release GETRANGE. Only extend reads TIME.
      expect(calls('set')).toBe(n + n + n / 2);
      expect(calls('get')).toBe(n + n / 2);
      expect(calls('getrange')).toBe(n / 2);
      expect(calls('time')).toBe(n);
      for (let i = 0; i < n; i += 50)
        await client.del(...Array.from({ length: 50 }, (_, j) => store.redisKey(`k${i + j}`)));
    });

    it('names its scripts after their SHA-1, so versions never overwrite each other', () => {
      expect(Object.values(SCRIPT_NAMES)).toHaveLength(6);
      expect(new Set(Object.values(SCRIPT_NAMES)).size).toBe(6);
      for (const name of Object.values(SCRIPT_NAMES)) expect(name).toMatch(/^idempo_[a-z]+_[0-9a-f]{12}$/);
    });
  });
}
