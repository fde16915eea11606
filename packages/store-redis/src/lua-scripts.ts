/**
 * The Lua scripts, one per store operation but `stats` (which scans: see record-stats.ts). Each runs atomically
 * on the Redis server in ONE round trip (EVALSHA), touches exactly ONE key (`KEYS[1]`, so every script is Redis
 * Cluster safe without hash tags), and treats every value as bytes (Lua strings are binary-safe).
 *
 * The record is a hash at `prefix + key`:
 *
 * | field | meaning |
 * |---|---|
 * | `s` | state: `f` in flight, `c` completed |
 * | `f` | the request fingerprint |
 * | `t` | the fencing token of the holder (made by the caller with `crypto.randomUUID()`) |
 * | `l` | lease expiry, in milliseconds of the Redis server's clock (`TIME`) |
 * | `c` | when the current holder reserved (created at), in milliseconds of the Redis server's clock |
 * | `r` | the response bytes (completed records only) |
 *
 * `c` is written by the same HSET as the reservation. Records written by versions of this store before `get`,
 * `delete` and `stats` have no `c`: `get` reports their `createdAt` as `undefined`, and `complete` keeps what
 * is there either way.
 *
 * Retention is the key's own expiry (`PEXPIRE`): Redis never returns an expired key, so retention is decided on
 * read. An in-flight key never expires before its lease ends: `reserve` gives it `max(leaseMs, ttlMs)` and
 * `extend` moves its expiry to at least the new lease's end. The lease is compared with `TIME` inside the script,
 * so the application servers' clocks never matter.
 *
 * Requires Redis >= 5 (or Valkey): scripts that read `TIME` and then write need effects replication, the default
 * since Redis 5.
 */

/** Milliseconds of the Redis server's clock, from `TIME` (seconds, microseconds). */
const NOW_MS = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/**
 * `reserve`: KEYS[1] = record; ARGV = fingerprint, token, leaseMs, ttlMs.
 *
 * Returns `{'c', fingerprint, response}` for a completed record, `{'f', fingerprint}` for an in-flight one whose
 * lease is still running, and `{'r'}` when the caller now holds the key: there was no record (none, or Redis
 * expired it), or the in-flight record's lease had ended (taken over: the record is replaced, carrying the
 * caller's NEW token, so the old holder's complete/release/extend now find a foreign token and write nothing).
 * The new record's `c` (created at) is written by the same HSET: no extra command, no extra round trip. The key
 * expires after `max(leaseMs, ttlMs)`: an in-flight record lives at least as long as its lease.
 *
 * An in-flight record that already carries the caller's own token can only have been written by this very
 * call: ioredis re-sends a command whose reply was lost with the connection (`autoResendUnfulfilledCommands`).
 * The script answers `{'r'}` again instead of reporting the caller's own reservation as someone else's.
 */
export const RESERVE_LUA = `${NOW_MS}
local record = redis.call('HMGET', KEYS[1], 's', 'f', 't', 'l', 'r')
local state = record[1]
if state == 'c' then
  return {'c', record[2], record[5]}
end
if state == 'f' then
  if record[3] == ARGV[2] then
    return {'r'}
  end
  if (tonumber(record[4]) or 0) > now then
    return {'f', record[2]}
  end
end
if state then
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 's', 'f', 'f', ARGV[1], 't', ARGV[2], 'l', string.format('%.0f', now + tonumber(ARGV[3])), 'c', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.max(tonumber(ARGV[3]), tonumber(ARGV[4]))))
return {'r'}`;

/**
 * `complete`: KEYS[1] = record; ARGV = token, response, ttlMs.
 *
 * Writes only when the record is in flight AND carries the caller's token (its lease may have ended: a holder
 * nobody took over still holds the key). Then stores the response, marks the record completed and sets its
 * retention to ttlMs from now (`c`, when it was reserved, stays). Returns 1, or 0 having written nothing.
 */
export const COMPLETE_LUA = `local record = redis.call('HMGET', KEYS[1], 's', 't')
if record[1] ~= 'f' or record[2] ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 's', 'c', 'r', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/**
 * `release`: KEYS[1] = record; ARGV = token.
 *
 * Deletes the record when it is in flight AND carries the caller's token, so that a retry may run. Returns 1, or
 * 0 having written nothing.
 */
export const RELEASE_LUA = `local record = redis.call('HMGET', KEYS[1], 's', 't')
if record[1] ~= 'f' or record[2] ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * `extend`: KEYS[1] = record; ARGV = token, leaseMs.
 *
 * Moves the lease to leaseMs from now (Redis time) when the record is in flight AND carries the caller's token,
 * and the key's expiry to at least leaseMs from now: `PTTL`, then `PEXPIRE leaseMs` only when the key would expire
 * sooner (never shortening it; `PEXPIRE ... GT` would need Redis 7). With the defaults (a 30 s lease, a 24 h
 * retention) the expiry is never touched. Returns 1, or 0 having written nothing.
 */
export const EXTEND_LUA = `local record = redis.call('HMGET', KEYS[1], 's', 't')
if record[1] ~= 'f' or record[2] ~= ARGV[1] then
  return 0
end
${NOW_MS}
local lease = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'l', string.format('%.0f', now + lease))
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 and ttl < lease then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

/**
 * `get`: KEYS[1] = record; no ARGV. Reads only: never writes, whatever it finds.
 *
 * Returns nil when there is no record (none, Redis expired it past its retention, or a hash this store did not
 * write: `reserve` would replace it), else `{state, fingerprint, createdAt, lease, response, expiresAt}`: the
 * fields as stored (false, so nil, for the absent ones) and the key's expiry in milliseconds of the server's
 * clock (-1 when the key has none). `PEXPIRETIME` (Redis >= 7, Valkey) gives that instant exactly; older servers
 * answer it with an error, and the script adds `PTTL` to `TIME` instead (exact within a millisecond).
 */
export const GET_LUA = `local record = redis.call('HMGET', KEYS[1], 's', 'f', 'c', 'l', 'r')
local state = record[1]
if state ~= 'f' and state ~= 'c' then
  return false
end
local expires = redis.pcall('PEXPIRETIME', KEYS[1])
if type(expires) ~= 'number' then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    expires = ttl
  else
${NOW_MS}
    expires = now + ttl
  end
end
return {state, record[2], record[3], record[4], record[5], expires}`;

/**
 * `delete`: KEYS[1] = record; ARGV = force (`'1'` or `'0'`).
 *
 * Decides and deletes in one atomic step, by the Redis server's clock, so that no `reserve` can slip between the
 * decision and the `DEL`:
 *
 * - 2 (in flight): nothing deleted, because the record is in flight, its lease `l` is still in the future by
 *   `TIME`, and force is not `'1'`. Its handler may be running: deleting it would let a retry run beside it;
 * - 1 (deleted): a record (`f` or `c`: what `get` returns) was deleted: completed, in flight with its lease
 *   ended (an in-flight record without a lease counts as ended, as in reserve), or any in-flight one with force.
 *   Its holder's complete/release/extend then find nothing and write nothing;
 * - 0 (not found): there was no record (none, or Redis had expired it). A hash with another state, which no
 *   version of this store writes, is deleted too but counts 0.
 *
 * `TIME` is read only for an in-flight record without force. A key that is not a hash fails with WRONGTYPE, as
 * in the other scripts.
 */
export const DELETE_LUA = `local record = redis.call('HMGET', KEYS[1], 's', 'l')
local state = record[1]
if not state then
  return 0
end
if state == 'f' and ARGV[1] ~= '1' then
${NOW_MS}
  if (tonumber(record[2]) or 0) > now then
    return 2
  end
end
redis.call('DEL', KEYS[1])
if state == 'f' or state == 'c' then
  return 1
end
return 0`;
