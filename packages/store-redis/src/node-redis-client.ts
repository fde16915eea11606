/**
 * node-redis (`redis` 4 and 5): the client shapes the store uses, its scripts sent with `sendCommand` (EVALSHA,
 * then EVAL on NOSCRIPT), the connection gate read from `isReady` / `isOpen`, and `stats` over SCAN. Structural
 * types, so that the store binds to no node-redis version's classes and needs none installed for ioredis.
 */
import { createHash } from 'node:crypto';
import { StoreUnavailableError } from '@idempo/core';
import { type StoreStats, withStoreTimeout } from '@idempo/core/store';
import type { ReadinessSource } from './client-readiness.js';
import {
  type Bounded,
  HEAD_END,
  type PipelineReplies,
  SCAN_COUNT,
  type Totals,
  tally,
} from './record-stats.js';
import { SCRIPT_SOURCES, type ScriptCall, type StoreScripts } from './redis-client.js';
import { scanPattern } from './scan-pattern.js';

/** One argument of a raw command. */
type CommandArgument = string | Buffer;

/** The events of a node-redis client the connection gate listens to. */
type ClientEvent = 'ready' | 'error' | 'end';

/** A node-redis client (`createClient()`, `redis` 4 or 5): `sendCommand`, `isOpen`, `isReady` and its events. */
export interface NodeRedisClient {
  sendCommand(args: CommandArgument[], options?: object): Promise<unknown>;
  readonly isOpen: boolean;
  readonly isReady: boolean;
  once(event: ClientEvent, listener: () => void): unknown;
  off(event: ClientEvent, listener: () => void): unknown;
}

/** A node-redis cluster (`createCluster()`, `redis` 4 or 5): `sendCommand` routed by its first key, the masters. */
export interface NodeRedisCluster {
  sendCommand(
    firstKey: CommandArgument | undefined,
    isReadonly: boolean | undefined,
    args: CommandArgument[],
    options?: object,
  ): Promise<unknown>;
  readonly isOpen: boolean;
  readonly masters: readonly unknown[];
  nodeClient(node: never): NodeRedisClient | Promise<NodeRedisClient>;
}

/**
 * Bulk strings as Buffers: `returnBuffers` is node-redis 4's option, `typeMapping` (BLOB_STRING, `$` = 36, to
 * Buffer) node-redis 5's; each ignores the other's.
 */
const AS_BUFFERS = Object.freeze({ returnBuffers: true, typeMapping: { 36: Buffer } });

/** Whether `client` has the shape of a node-redis client or cluster (and not ioredis'). */
export function isNodeRedis(client: unknown): client is NodeRedisClient | NodeRedisCluster {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c['sendCommand'] === 'function' && 'isOpen' in c && typeof c['defineCommand'] !== 'function';
}

function isCluster(client: NodeRedisClient | NodeRedisCluster): client is NodeRedisCluster {
  return typeof (client as Partial<NodeRedisCluster>).nodeClient === 'function';
}

/** Sends `args` on the connection that owns `key` (any connection when there is no key), bulk strings as Buffers. */
type Send = (key: CommandArgument | undefined, args: CommandArgument[]) => Promise<unknown>;

function sender(client: NodeRedisClient | NodeRedisCluster): Send {
  if (isCluster(client)) return (key, args) => client.sendCommand(key, false, args, AS_BUFFERS);
  return (_key, args) => client.sendCommand(args, AS_BUFFERS);
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** One script: EVALSHA (one round trip); EVAL, which also loads it, when the server does not have it (NOSCRIPT). */
function script(send: Send, lua: string): ScriptCall {
  const sha = createHash('sha1').update(lua).digest('hex');
  return (key, ...args) => {
    const argv = args.map((arg) => (typeof arg === 'number' ? String(arg) : arg));
    return send(key, ['EVALSHA', sha, '1', key, ...argv]).catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      return send(key, ['EVAL', lua, '1', key, ...argv]);
    });
  };
}

/** The store's scripts over a node-redis client or cluster. */
export function nodeRedisScripts(client: NodeRedisClient | NodeRedisCluster): StoreScripts {
  const send = sender(client);
  return {
    setIfAbsent: (key, value, px) => send(key, ['SET', key, value, 'NX', 'PX', px, 'GET']),
    reserve: script(send, SCRIPT_SOURCES.reserve),
    complete: script(send, SCRIPT_SOURCES.complete),
    release: script(send, SCRIPT_SOURCES.release),
    extend: script(send, SCRIPT_SOURCES.extend),
    get: script(send, SCRIPT_SOURCES.get),
    delete: script(send, SCRIPT_SOURCES.delete),
  };
}

/**
 * The connection gate's view of a node-redis client (client-readiness.ts): `ready` when `isReady`, `connecting`
 * while open but not ready (connecting at start-up or reconnecting: the gate waits for `ready` within the
 * caller's time, and an `error` event, a failed attempt, refuses it), `end` once closed. node-redis would queue
 * a command sent meanwhile and send it after the reconnect: the gate never lets a reserve wait there. A cluster
 * routes each command itself and has no `isReady`: it is `ready` while open.
 */
export function nodeRedisReadiness(client: NodeRedisClient | NodeRedisCluster): ReadinessSource {
  if (isCluster(client)) {
    return {
      get status() {
        return client.isOpen ? 'ready' : 'end';
      },
    };
  }
  const event = (name: 'ready' | 'close' | 'end'): ClientEvent => (name === 'close' ? 'error' : name);
  return {
    get status() {
      if (client.isReady) return 'ready';
      return client.isOpen ? 'connecting' : 'end';
    },
    once: (name, listener) => client.once(event(name), listener),
    off: (name, listener) => client.off(event(name), listener),
  };
}

async function countOn(node: NodeRedisClient, pattern: Buffer, bounded: Bounded, totals: Totals) {
  const send: Send = (_key, args) => node.sendCommand(args, AS_BUFFERS);
  let cursor = '0';
  do {
    const reply = (await bounded('SCAN', () =>
      send(undefined, ['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(SCAN_COUNT)]),
    )) as [Buffer, Buffer[]];
    cursor = reply[0].toString('latin1');
    const keys = reply[1];
    if (keys.length === 0) continue;
    // node-redis writes the commands of one tick together: one pipeline, as on ioredis.
    const settled = await bounded('read', () =>
      Promise.allSettled([
        send(undefined, ['TIME']),
        ...keys.flatMap((key) => [
          send(key, ['GETRANGE', key, '0', String(HEAD_END)]),
          send(key, ['PTTL', key]),
        ]),
      ]),
    );
    const replies: PipelineReplies = settled.map((result, i) => {
      if (result.status === 'rejected') return [result.reason as Error, undefined];
      if (i === 0) return [null, (result.value as Buffer[]).map((part) => part.toString('latin1'))];
      return [null, result.value];
    });
    tally(replies, totals);
  } while (cursor !== '0');
}

/** `stats` over node-redis: the scan of record-stats.ts, on the client or on every master of a cluster. */
export async function countNodeRedisRecords(
  client: NodeRedisClient | NodeRedisCluster,
  prefix: string,
  timeoutMs: number,
): Promise<StoreStats> {
  const bounded: Bounded = (what, call) => withStoreTimeout(`RedisStore: stats (${what})`, call, timeoutMs);
  const pattern = scanPattern(prefix);
  const totals: Totals = { inFlight: 0, leaseExpired: 0, completed: 0 };
  let nodes: NodeRedisClient[] = [client as NodeRedisClient];
  if (isCluster(client)) {
    const masters = client.masters;
    if (masters.length === 0) throw new StoreUnavailableError('RedisStore: stats found no Cluster master');
    nodes = await bounded('connect', () =>
      Promise.all(masters.map((master) => client.nodeClient(master as never))),
    );
  }
  await Promise.all(nodes.map((node) => countOn(node, pattern, bounded, totals)));
  return totals;
}
