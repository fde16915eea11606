/**
 * MemoryStore's policy written plainly, every search a walk over all records, as the oracle of a differential
 * test: the store, which finds what it may drop in O(1) per record, must answer, drop and account exactly as this.
 * (It was first the store before its orders became linked lists; issue 15 changed the policy both follow: a live
 * record is never dropped to make room, an in-flight record lives at least its lease, bytes are counted as
 * measured.)
 */
import { InvalidOptionsError, StoreCapacityError } from '../src/errors.js';
import { MEMORY_RECORD_OVERHEAD, MEMORY_RESPONSE_OVERHEAD } from '../src/memory-store.js';
import type { IdempotencyStore, ReserveResult } from '../src/store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most records held at once, in flight or completed. Default `10_000`. */
  readonly maxEntries?: number;
  /** Most bytes of records held (responses, keys, fingerprints and a fixed overhead). Default `64 MiB`. */
  readonly maxBytes?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  readonly key: string;
  readonly fingerprint: string;
  token: string | undefined;
  state: 'in-flight' | 'completed';
  leaseExpiresAt: number;
  expiresAt: number;
  response: Uint8Array | undefined;
  bytes: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionsError(`MemoryStore: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** The in-memory {@link IdempotencyStore}. */
export class ReferenceMemoryStore implements IdempotencyStore {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  /** Every record, by key. */
  readonly #records = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxEntries = positiveInteger('maxEntries', options.maxEntries, 10_000);
    this.#maxBytes = positiveInteger('maxBytes', options.maxBytes, 64 * 1024 * 1024);
    this.#now = options.now ?? Date.now;
  }

  /** Records held, live or expired but not yet dropped. */
  get size(): number {
    return this.#records.size;
  }

  /** Bytes accounted against `maxBytes`. */
  get bytes(): number {
    return this.#bytes;
  }

  async reserve(key: string, fingerprint: string, leaseMs: number, ttlMs: number): Promise<ReserveResult> {
    const now = this.#now();
    const found = this.#live(key, now);
    if (found) {
      // The response is copied so that nothing a caller does to a replayed body can change later replays.
      return found.state === 'completed'
        ? {
            kind: 'existing',
            state: 'completed',
            fingerprint: found.fingerprint,
            response: (found.response as Uint8Array).slice(),
          }
        : { kind: 'existing', state: 'in-flight', fingerprint: found.fingerprint };
    }
    const token = globalThis.crypto.randomUUID();
    const bytes = MEMORY_RECORD_OVERHEAD + key.length + fingerprint.length;
    if (this.#full(1, bytes)) {
      this.#dropExpired(now);
      if (this.#full(1, bytes)) {
        throw new StoreCapacityError(
          `MemoryStore: full (${this.#records.size} records, ${this.#bytes} bytes) of records within their retention or lease; new reservations are refused until some expire`,
        );
      }
    }
    const entry: Entry = {
      key,
      fingerprint,
      token,
      state: 'in-flight',
      leaseExpiresAt: now + leaseMs,
      expiresAt: now + Math.max(leaseMs, ttlMs),
      response: undefined,
      bytes,
    };
    this.#records.set(key, entry);
    this.#bytes += bytes;
    return { kind: 'reserved', token };
  }

  async complete(key: string, token: string, response: Uint8Array, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const entry = this.#held(key, token, now);
    if (!entry) return false;
    const grow = MEMORY_RESPONSE_OVERHEAD + response.length;
    if (entry.bytes + grow > this.#maxBytes) {
      throw new StoreCapacityError(`MemoryStore: a ${response.length}-byte response exceeds maxBytes`);
    }
    if (this.#full(0, grow)) this.#dropExpired(now, entry);
    // The caller's buffer is copied so that nothing it does later can change what is replayed.
    entry.response = response.slice();
    entry.bytes += grow;
    this.#bytes += grow;
    entry.state = 'completed';
    entry.token = undefined;
    entry.expiresAt = now + ttlMs;
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    const entry = this.#held(key, token, this.#now());
    if (!entry) return false;
    this.#drop(entry);
    return true;
  }

  async extend(key: string, token: string, leaseMs: number): Promise<boolean> {
    const now = this.#now();
    const entry = this.#held(key, token, now);
    if (!entry) return false;
    entry.leaseExpiresAt = now + leaseMs;
    entry.expiresAt = Math.max(entry.expiresAt, entry.leaseExpiresAt);
    return true;
  }

  async close(): Promise<void> {
    this.#records.clear();
    this.#bytes = 0;
  }

  /** The live record of `key`, dropping it if it has expired. */
  #live(key: string, now: number): Entry | undefined {
    const entry = this.#records.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now && (entry.state === 'completed' || entry.leaseExpiresAt > now)) return entry;
    this.#drop(entry);
    return undefined;
  }

  /** The in-flight record of `key` when `token` holds it (lease expired or not, but within retention). */
  #held(key: string, token: string, now: number): Entry | undefined {
    const entry = this.#records.get(key);
    if (!entry || entry.token !== token || entry.state !== 'in-flight' || entry.expiresAt <= now)
      return undefined;
    return entry;
  }

  #drop(entry: Entry): void {
    if (this.#records.get(entry.key) !== entry) return;
    this.#records.delete(entry.key);
    this.#bytes -= entry.bytes;
  }

  /** Drops every record whose retention, or (in flight) whose lease, has ended, but `keep`. */
  #dropExpired(now: number, keep?: Entry): void {
    for (const entry of [...this.#records.values()]) {
      const due = entry.state === 'completed' ? entry.expiresAt : entry.leaseExpiresAt;
      if (due <= now && entry !== keep) this.#drop(entry);
    }
  }

  #full(entries: number, bytes: number): boolean {
    return this.#records.size + entries > this.#maxEntries || this.#bytes + bytes > this.#maxBytes;
  }
}
