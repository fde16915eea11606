/**
 * The Lua scripts: every store operation but a new key's `reserve` (one native `SET ... NX PX ... GET`, see
 * redis-store.ts) and `stats` (which scans: see record-stats.ts). Each runs atomically on the Redis server in ONE
 * round trip (EVALSHA), touches exactly ONE key (`KEYS[1]`, so every script is Redis Cluster safe without hash
 * tags), and treats every value as bytes (Lua strings are binary-safe).
 *
 * The record is one string at `prefix + key` (record.ts reads it on the client), `|`-separated up to its last
 * field, which runs to the end:
 *
 * | record | written by |
 * |---|---|
 * | `n|<token>|<px>|<leaseMs>|<fingerprint>` | the native reserve: in flight, instants relative to the key's expiry |
 * | `f|<token>|<createdAt>|<leaseEnd>|<fingerprint>` | a script (takeover, extend): in flight, instants absolute |
 * | `c|<createdAt>|<fingerprint bytes>|<fingerprint><response>` | complete: completed |
 *
 * Instants are milliseconds of the Redis server's clock. The native reserve cannot read that clock, but it sets the
 * key's expiry with it (`PX px`): so an `n` record was created at `PEXPIRETIME - px` and its lease ends `leaseMs`
 * later. Nothing but a script that rewrites the record (complete, extend, a takeover) changes an `n` record's
 * expiry, so that reading holds for as long as the record is `n`.
 *
 * Retention is the key's own expiry: Redis never returns an expired key, so retention is decided on read. An
 * in-flight key never expires before its lease ends: it gets `max(leaseMs, ttlMs)`, and `extend` moves its expiry
 * to at least the new lease's end. The lease is compared with `TIME` inside the scripts, so the application
 * servers' clocks never matter.
 *
 * Requires Redis >= 6.0 (`SET ... KEEPTTL`) or Valkey; the native reserve needs Redis >= 7.0 (`SET NX GET`), and
 * the store sends the reserve script instead on an older server. `PEXPIRETIME` (Redis >= 7.0) is read through
 * `pcall`, with `TIME` + `PTTL` (exact within a millisecond) where it is missing.
 */

/** Milliseconds of the Redis server's clock, from `TIME` (seconds, microseconds). */
const NOW_MS = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/** The key's expiry in milliseconds of the server's clock (-1: none), with or without `PEXPIRETIME`. */
const EXPIRES_AT = `local function expiresAt()
  local expires = redis.pcall('PEXPIRETIME', KEYS[1])
  if type(expires) == 'number' then
    return expires
  end
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    return ttl
  end
  local clock = redis.call('TIME')
  return tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) + ttl
end`;

/**
 * `inFlight(v)`: an in-flight record's token, created-at, lease end and fingerprint (nil when `v` is not one, or
 * is damaged: the caller treats that as it would a missing field). `owns(v, token)`: whether `v` is in flight
 * with exactly `token` (tokens never hold a `|`).
 */
const IN_FLIGHT = `${EXPIRES_AT}
local function inFlight(v)
  local state = string.sub(v, 1, 2)
  if state ~= 'f|' and state ~= 'n|' then
    return nil
  end
  local p = string.find(v, '|', 3, true)
  local q = p and string.find(v, '|', p + 1, true)
  local r = q and string.find(v, '|', q + 1, true)
  if not r then
    return nil
  end
  local a = tonumber(string.sub(v, p + 1, q - 1))
  local b = tonumber(string.sub(v, q + 1, r - 1))
  if not a or not b then
    return nil
  end
  if state == 'n|' then
    a = expiresAt() - a
    b = a + b
  end
  return string.sub(v, 3, p - 1), a, b, string.sub(v, r + 1)
end
local function owns(v, token)
  local state = string.sub(v, 1, 2)
  return (state == 'f|' or state == 'n|') and string.sub(v, 3, #token + 3) == token .. '|'
end`;

/**
 * `reserve`, when the native reserve met another holder's in-flight record, or on a server without `SET NX GET`:
 * KEYS[1] = record; ARGV = fingerprint, token, leaseMs, ttlMs.
 *
 * Returns nil when the caller now holds the key: there was no record (none, or Redis expired it), the in-flight
 * record's lease had ended by `TIME` (taken over: replaced by one carrying the caller's NEW token, so the old
 * holder's complete/release/extend now find a foreign token and write nothing), or the record was of no state
 * this store writes. The new record is `f` (created now, lease `now + leaseMs`) and its key expires after
 * `max(leaseMs, ttlMs)`. Otherwise returns the record as it is: completed, or in flight with its lease running.
 *
 * An in-flight record that already carries the caller's own token can only have been written by this very call
 * (or its native reserve): ioredis re-sends a command whose reply was lost with the connection
 * (`autoResendUnfulfilledCommands`). The script answers nil again instead of reporting the caller's own
 * reservation as someone else's.
 */
export const RESERVE_LUA = `${IN_FLIGHT}
${NOW_MS}
local v = redis.call('GET', KEYS[1])
if v then
  if string.sub(v, 1, 2) == 'c|' then
    return v
  end
  if owns(v, ARGV[2]) then
    return false
  end
  local token, created, lease = inFlight(v)
  if token and lease > now then
    return v
  end
end
local leaseMs = tonumber(ARGV[3])
redis.call('SET', KEYS[1], 'f|' .. ARGV[2] .. '|' .. string.format('%.0f', now) .. '|' .. string.format('%.0f', now + leaseMs) .. '|' .. ARGV[1], 'PX', string.format('%.0f', math.max(leaseMs, tonumber(ARGV[4]))))
return false`;

/**
 * `complete`: KEYS[1] = record; ARGV = token, response, ttlMs.
 *
 * Writes only when the record is in flight AND carries the caller's token (its lease may have ended: a holder
 * nobody took over still holds the key). Then replaces it with the completed record (when it was reserved, the
 * fingerprint, the response) whose retention is ttlMs from now: one `SET ... PX`. Returns 1, or 0 having written
 * nothing. An in-flight record of the caller's token without its separators fails the script (an error reply).
 *
 * The hot script of every request, so written for the fewest Lua operations (callgrind, per call on Redis 7.0:
 * 62.9k instructions against 72.7k for the same steps through the shared helpers): the state read as a byte,
 * an `f` record's created-at copied as it is stored, an `n` one's computed from `PEXPIRETIME` and written by
 * Lua's number-to-string (`%.14g`, exact for integers below 1e14 ms, the year 5138).
 */
export const COMPLETE_LUA = `local v = redis.call('GET', KEYS[1])
if not v then
  return 0
end
local t = ARGV[1]
local kind = string.byte(v, 1)
if (kind ~= 110 and kind ~= 102) or string.sub(v, 2, #t + 3) ~= '|' .. t .. '|' then
  return 0
end
local q = string.find(v, '|', #t + 4, true)
local r = q and string.find(v, '|', q + 1, true)
if not r then
  return redis.error_reply('IDEMPO damaged record')
end
local created = string.sub(v, #t + 4, q - 1)
if kind == 110 then
  local expires = redis.pcall('PEXPIRETIME', KEYS[1])
  if type(expires) ~= 'number' then
${NOW_MS}
    expires = now + redis.call('PTTL', KEYS[1])
  end
  created = expires - tonumber(created)
end
redis.call('SET', KEYS[1], 'c|' .. created .. '|' .. (#v - r) .. '|' .. string.sub(v, r + 1) .. ARGV[2], 'PX', ARGV[3])
return 1`;

/**
 * `release`: KEYS[1] = record; ARGV = token.
 *
 * Deletes the record when it is in flight AND carries the caller's token, so that a retry may run: reads only the
 * record's head (`GETRANGE`), never a stored response. Returns 1, or 0 having written nothing.
 */
export const RELEASE_LUA = `local head = redis.call('GETRANGE', KEYS[1], 0, #ARGV[1] + 2)
local state = string.sub(head, 1, 2)
if (state ~= 'f|' and state ~= 'n|') or string.sub(head, 3) ~= ARGV[1] .. '|' then
  return 0
end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * `extend`: KEYS[1] = record; ARGV = token, leaseMs.
 *
 * When the record is in flight AND carries the caller's token: rewrites it as an `f` record whose lease ends
 * leaseMs from now (Redis time), keeping its expiry (`SET ... KEEPTTL`), then moves the key's expiry to at least
 * the new lease's end: `PTTL`, then `PEXPIRE leaseMs` only when the key would expire sooner (never shortening it).
 * With the defaults (a 30 s lease, a 24 h retention) the expiry is never touched. Returns 1, or 0 having written
 * nothing.
 */
export const EXTEND_LUA = `${IN_FLIGHT}
local v = redis.call('GET', KEYS[1])
if not v or not owns(v, ARGV[1]) then
  return 0
end
local token, created, lease, fingerprint = inFlight(v)
if not token then
  return redis.error_reply('IDEMPO damaged record')
end
${NOW_MS}
local leaseMs = tonumber(ARGV[2])
redis.call('SET', KEYS[1], 'f|' .. token .. '|' .. string.format('%.0f', created) .. '|' .. string.format('%.0f', now + leaseMs) .. '|' .. fingerprint, 'KEEPTTL')
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 and ttl < leaseMs then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

/**
 * `get`: KEYS[1] = record; no ARGV. Reads only: never writes, whatever it finds.
 *
 * Returns nil when there is no record (none, Redis expired it past its retention, or a value of no state this
 * store writes: `reserve` would replace it), else `{record, expiresAt}`: the record as stored and the key's
 * expiry in milliseconds of the server's clock (-1 when the key has none). The client reads an `n` record's
 * instants from that expiry (record.ts).
 */
export const GET_LUA = `${EXPIRES_AT}
local v = redis.call('GET', KEYS[1])
if not v then
  return false
end
local state = string.sub(v, 1, 2)
if state ~= 'f|' and state ~= 'n|' and state ~= 'c|' then
  return false
end
return {v, expiresAt()}`;

/**
 * `delete`: KEYS[1] = record; ARGV = force (`'1'` or `'0'`).
 *
 * Decides and deletes in one atomic step, by the Redis server's clock, so that no `reserve` can slip between the
 * decision and the `DEL`:
 *
 * - 2 (in flight): nothing deleted, because the record is in flight, its lease is still in the future by `TIME`,
 *   and force is not `'1'`. Its handler may be running: deleting it would let a retry run beside it;
 * - 1 (deleted): a record (`f`, `n` or `c`: what `get` returns) was deleted: completed, in flight with its lease
 *   ended (a damaged in-flight record counts as ended, as in reserve), or any in-flight one with force. Its
 *   holder's complete/release/extend then find nothing and write nothing;
 * - 0 (not found): there was no record (none, or Redis had expired it). A value of another state, which no version
 *   of this store writes, is deleted too but counts 0.
 *
 * Reads only the record's head (`GETRANGE`, enough for a UUID token and two instants), never a stored response;
 * `TIME` only for an in-flight record without force. A key that is not a string fails with WRONGTYPE, as in the
 * other scripts.
 */
export const DELETE_LUA = `${IN_FLIGHT}
local head = redis.call('GETRANGE', KEYS[1], 0, 127)
if head == '' then
  return 0
end
local state = string.sub(head, 1, 2)
if (state == 'f|' or state == 'n|') and ARGV[1] ~= '1' then
  local token, created, lease = inFlight(head)
${NOW_MS}
  if token and lease > now then
    return 2
  end
end
redis.call('DEL', KEYS[1])
if state == 'f|' or state == 'n|' or state == 'c|' then
  return 1
end
return 0`;
