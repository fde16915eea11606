/**
 * `stats`: the live records under the store's prefix, counted by state. Not a script (a script may touch only
 * the keys it is given, and in a Cluster only keys of one slot): SCAN over every master, in batches, each batch
 * read with one pipeline of per-key commands compared with that master's clock.
 */
import { StoreUnavailableError } from '@idempo/core';
import { type StoreStats, withStoreTimeout } from '@idempo/core/store';
import { inFlightInstants, inFlightRecord, recordState } from './record.js';
import type { RedisClient } from './redis-client.js';
import { scanPattern } from './scan-pattern.js';

/** Keys asked of each SCAN call (`COUNT`, a hint to Redis): at most about this many keys are held at once. */
export const SCAN_COUNT = 500;

/** What `exec` answers: one `[error, reply]` per command. */
export type PipelineReplies = ReadonlyArray<readonly [Error | null, unknown]> | null;

/** The part of an ioredis pipeline the scan uses. */
interface ReadPipeline {
  time(): ReadPipeline;
  getrangeBuffer(key: Buffer, start: number, end: number): ReadPipeline;
  pttl(key: Buffer): ReadPipeline;
  exec(): Promise<PipelineReplies>;
}

/** A client or connection, with the `keyPrefix` ioredis puts in front of every key it sends. */
interface Prefixed {
  readonly options?: { readonly keyPrefix?: string | Buffer | undefined } | undefined;
}

/** One server connection (an ioredis `Redis`: the standalone client, or one master of a Cluster). */
interface ScanNode extends Prefixed {
  scanBuffer(
    cursor: string,
    match: 'MATCH',
    pattern: Buffer,
    count: 'COUNT',
    keys: number,
  ): Promise<[Buffer, Buffer[]]>;
  pipeline(): ReadPipeline;
}

/** An ioredis `Cluster`, as far as the scan uses it. */
interface ClusterClient extends Prefixed {
  nodes(role: 'master'): ScanNode[];
  ping(): Promise<unknown>;
}

/** Errors of one key's read that mean "no record of this store here": not a string, or moved to another master. */
const SKIPPED_KEY_ERRORS = /^(WRONGTYPE|MOVED|ASK)\b/;

/** The counts, as they are added up. */
export type Totals = { -readonly [K in keyof StoreStats]: number };

/** A round trip of the scan, bounded by the store's `timeoutMs`. */
export type Bounded = <T>(what: string, call: () => Promise<T>) => Promise<T>;

function isCluster(client: RedisClient): client is RedisClient & ClusterClient {
  return typeof (client as Partial<ClusterClient>).nodes === 'function';
}

function keyPrefixOf(connection: Prefixed): Buffer {
  const keyPrefix = connection.options?.keyPrefix;
  return keyPrefix === undefined ? Buffer.alloc(0) : Buffer.from(keyPrefix);
}

/** The masters to scan: the client itself, or every master of a Cluster (connecting it first if need be). */
async function mastersOf(client: RedisClient, bounded: Bounded): Promise<ScanNode[]> {
  if (!isCluster(client)) return [client as unknown as ScanNode];
  let masters = client.nodes('master');
  if (masters.length === 0) {
    // A Cluster client learns its masters when it connects: one command waits for that.
    await bounded('connect', () => client.ping());
    masters = client.nodes('master');
  }
  if (masters.length === 0) throw new StoreUnavailableError('RedisStore: stats found no Cluster master');
  return masters;
}

/** Milliseconds of a `TIME` reply (seconds, microseconds). */
function milliseconds(time: unknown): number {
  if (!Array.isArray(time)) throw new StoreUnavailableError('RedisStore: stats read no TIME');
  return Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
}

/** The bytes of a record's head each key's read asks for (`GETRANGE 0 HEAD_END`): state, token, two instants. */
export const HEAD_END = 127;

/**
 * Adds one batch's replies (`TIME`, then `GETRANGE key 0 127` and `PTTL key` per key, heads as Buffers) to
 * `totals`. An `n` record's lease is read from its expiry (`TIME` + `PTTL`, the same pipeline).
 */
export function tally(replies: PipelineReplies, totals: Totals): void {
  const [timeError, time] = replies?.[0] ?? [new Error('no reply'), undefined];
  if (timeError) {
    throw new StoreUnavailableError(`RedisStore: stats failed: ${timeError.message}`, { cause: timeError });
  }
  const now = milliseconds(time);
  const all = replies as NonNullable<PipelineReplies>;
  for (let i = 1; i + 1 < all.length; i += 2) {
    const [error, head] = all[i] as readonly [Error | null, unknown];
    const [, ttl] = all[i + 1] as readonly [Error | null, unknown];
    if (error) {
      if (SKIPPED_KEY_ERRORS.test(error.message)) continue;
      throw new StoreUnavailableError(`RedisStore: stats failed: ${error.message}`, { cause: error });
    }
    // Gone since SCAN saw it (deleted, or past its retention: Redis returns no expired key): empty, skipped.
    const state = Buffer.isBuffer(head) ? recordState(head) : undefined;
    if (state === 'c') totals.completed++;
    else if (state === 'f' || state === 'n') {
      const record = inFlightRecord(head as Buffer);
      // A damaged record is an ended lease, as the reserve script reads it.
      const lease = record ? inFlightInstants(state, record, now + Number(ttl)).leaseEnd : 0;
      if (lease > now) totals.inFlight++;
      else totals.leaseExpired++;
    }
  }
}

/** Scans one master for `pattern`; `strip` bytes (the connection's own `keyPrefix`) come off each key read. */
async function countOn(node: ScanNode, pattern: Buffer, bounded: Bounded, totals: Totals): Promise<void> {
  const ownPrefix = keyPrefixOf(node);
  let cursor = '0';
  do {
    const [next, keys] = await bounded('SCAN', () =>
      node.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
    );
    cursor = next.toString('latin1');
    if (keys.length === 0) continue;
    const replies = await bounded('read', () => {
      const pipeline = node.pipeline().time();
      for (const key of keys) {
        if (!key.subarray(0, ownPrefix.length).equals(ownPrefix)) {
          throw new StoreUnavailableError(
            'RedisStore: stats cannot read a key outside the connection keyPrefix (a Cluster whose keyPrefix and redisOptions.keyPrefix differ)',
          );
        }
        // ioredis puts the connection's keyPrefix back in front of the key.
        const own = key.subarray(ownPrefix.length);
        pipeline.getrangeBuffer(own, 0, HEAD_END).pttl(own);
      }
      return pipeline.exec();
    });
    tally(replies, totals);
  } while (cursor !== '0');
}

/**
 * Counts the live records whose Redis key starts with `prefix` (after the client's own `keyPrefix`), by state,
 * on every master. Each round trip (one SCAN of about {@link SCAN_COUNT} keys, then one pipelined `TIME`, and
 * `GETRANGE` of the head and `PTTL` per key found) is bounded by `timeoutMs`. Not a snapshot: records written, deleted or expiring
 * during the scan may or may not be counted, and SCAN may return a key twice while Redis resizes its table.
 */
export async function countRecords(
  client: RedisClient,
  prefix: string,
  timeoutMs: number,
): Promise<StoreStats> {
  const bounded: Bounded = (what, call) => withStoreTimeout(`RedisStore: stats (${what})`, call, timeoutMs);
  const pattern = scanPattern(Buffer.concat([keyPrefixOf(client as Prefixed), Buffer.from(prefix)]));
  const totals = { inFlight: 0, leaseExpired: 0, completed: 0 };
  const masters = await mastersOf(client, bounded);
  await Promise.all(masters.map((node) => countOn(node, pattern, bounded, totals)));
  return totals;
}
