/**
 * `@idempo/store-redis`: the idempo store over Redis or Valkey through ioredis 5 or 6 or node-redis
 * (`redis` 4 or 5), standalone or Cluster.
 * One Lua script per operation (one round trip, one key), leases on the Redis server's clock, responses stored
 * as bytes; core bounds the calls it makes (the store arms no timer for them), `timeoutMs` the operations calls.
 *
 * @packageDocumentation
 */

export type { NodeRedisClient, NodeRedisCluster } from './node-redis-client.js';
export { DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS, type RedisStoreOptions } from './options.js';
export type { RedisClient, RedisScriptDefinition } from './redis-client.js';
export { RedisStore } from './redis-store.js';
