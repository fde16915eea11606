/**
 * The part of an ioredis client the store uses: `defineCommand`, which both `Redis` and `Cluster` (ioredis 5 and
 * 6) have. A structural type, so that the store does not bind to one ioredis version's classes.
 */
import { createHash } from 'node:crypto';
import { InvalidOptionsError } from '@idempo/core';
import type { ReadinessSource } from './client-readiness.js';
import { COMPLETE_LUA, DELETE_LUA, EXTEND_LUA, GET_LUA, RELEASE_LUA, RESERVE_LUA } from './lua-scripts.js';
import { batchWritesThisTick, type StreamOwner } from './write-batching.js';

/** A script definition, as ioredis' `defineCommand` takes it. */
export interface RedisScriptDefinition {
  /** The Lua source. */
  lua: string;
  /** How many of the arguments are keys. */
  numberOfKeys?: number;
  /** Whether the script may run on a replica. */
  readOnly?: boolean;
}

/**
 * An ioredis `Redis` or `Cluster` instance (ioredis 5 or 6). The store reads its `status` (and waits for its
 * `ready` event) before a reserve, calls `defineCommand` once per script and then the `<name>Buffer` method ioredis
 * adds, which sends EVALSHA (EVAL on a connection that has not loaded the
 * script yet, and again on NOSCRIPT) and answers bulk strings as Buffers.
 */
export interface RedisClient extends ReadinessSource {
  defineCommand(name: string, definition: RedisScriptDefinition): void;
}

/** Arguments of a script call: the key, then its ARGV. */
type ScriptArgument = string | Buffer | number;

/** One defined script, called through its `...Buffer` variant. */
export type ScriptCall = (key: string, ...args: ScriptArgument[]) => Promise<unknown>;

/**
 * The native reserve: `SET key value NX PX px GET` (Redis >= 7.0), nil when it set the key, else the value already
 * there (a Buffer), which it left as it was.
 */
export type NativeReserve = (key: string, value: string, px: string) => Promise<unknown>;

/** The operations, each bound to its script (or, for `setIfAbsent`, the native reserve) on one client. */
export interface StoreScripts {
  readonly setIfAbsent: NativeReserve;
  readonly reserve: ScriptCall;
  readonly complete: ScriptCall;
  readonly release: ScriptCall;
  readonly extend: ScriptCall;
  readonly get: ScriptCall;
  readonly delete: ScriptCall;
}

/**
 * The command name of a script: versioned by the script's SHA-1, so that two versions of this package sharing
 * one client never overwrite each other's script.
 */
function commandName(operation: string, lua: string): string {
  return `idempo_${operation}_${createHash('sha1').update(lua).digest('hex').slice(0, 12)}`;
}

const SCRIPTS = {
  reserve: { name: commandName('reserve', RESERVE_LUA), lua: RESERVE_LUA },
  complete: { name: commandName('complete', COMPLETE_LUA), lua: COMPLETE_LUA },
  release: { name: commandName('release', RELEASE_LUA), lua: RELEASE_LUA },
  extend: { name: commandName('extend', EXTEND_LUA), lua: EXTEND_LUA },
  get: { name: commandName('get', GET_LUA), lua: GET_LUA },
  delete: { name: commandName('delete', DELETE_LUA), lua: DELETE_LUA },
} as const;

function bind(client: RedisClient, name: string, lua: string): ScriptCall {
  const methods = client as unknown as Record<string, unknown>;
  if (typeof methods[`${name}Buffer`] !== 'function') {
    client.defineCommand(name, { lua, numberOfKeys: 1 });
  }
  const method = methods[`${name}Buffer`];
  if (typeof method !== 'function') {
    throw new InvalidOptionsError(
      'RedisStore: client.defineCommand did not add a Buffer variant; pass an ioredis Redis or Cluster instance',
    );
  }
  const call = method as (...a: ScriptArgument[]) => Promise<unknown>;
  return (key, ...args) => {
    batchWritesThisTick(client as StreamOwner);
    return call.call(client, key, ...args);
  };
}

/** Defines the scripts on `client` (once per client and script version) and returns their callers. */
export function defineScripts(client: RedisClient): StoreScripts {
  if (typeof client !== 'object' || client === null || typeof client.defineCommand !== 'function') {
    throw new InvalidOptionsError(
      'RedisStore: client must be an ioredis Redis or Cluster, or a node-redis client or cluster (createClient, createCluster)',
    );
  }
  const scripts = {
    reserve: bind(client, SCRIPTS.reserve.name, SCRIPTS.reserve.lua),
    complete: bind(client, SCRIPTS.complete.name, SCRIPTS.complete.lua),
    release: bind(client, SCRIPTS.release.name, SCRIPTS.release.lua),
    extend: bind(client, SCRIPTS.extend.name, SCRIPTS.extend.lua),
    get: bind(client, SCRIPTS.get.name, SCRIPTS.get.lua),
    delete: bind(client, SCRIPTS.delete.name, SCRIPTS.delete.lua),
  };
  const set = (client as unknown as { setBuffer?: unknown }).setBuffer;
  if (typeof set !== 'function') {
    throw new InvalidOptionsError(
      'RedisStore: the client has no setBuffer; pass an ioredis Redis or Cluster instance',
    );
  }
  const setBuffer = set as (...a: string[]) => Promise<unknown>;
  return {
    ...scripts,
    // The native reserve: one SET, corked with the tick's other commands like the scripts.
    setIfAbsent: (key, value, px) => {
      batchWritesThisTick(client as StreamOwner);
      return setBuffer.call(client, key, value, 'PX', px, 'NX', 'GET');
    },
  };
}

/** The operations that are scripts. */
type ScriptName = Exclude<keyof StoreScripts, 'setIfAbsent'>;

/** The Lua source of each script, for clients that send EVALSHA themselves (node-redis). */
export const SCRIPT_SOURCES: Readonly<Record<ScriptName, string>> = {
  reserve: RESERVE_LUA,
  complete: COMPLETE_LUA,
  release: RELEASE_LUA,
  extend: EXTEND_LUA,
  get: GET_LUA,
  delete: DELETE_LUA,
};

/** The command names, for tests and operators (e.g. reading `INFO commandstats`). */
export const SCRIPT_NAMES: Readonly<Record<ScriptName, string>> = {
  reserve: SCRIPTS.reserve.name,
  complete: SCRIPTS.complete.name,
  release: SCRIPTS.release.name,
  extend: SCRIPTS.extend.name,
  get: SCRIPTS.get.name,
  delete: SCRIPTS.delete.name,
};
