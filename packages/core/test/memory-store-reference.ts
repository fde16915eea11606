/**
 * MemoryStore as it was before its orders became linked lists, kept as the oracle of a differential test: the
 * rewrite must answer, evict and account exactly as it did.
 */
import { InvalidOptionsError, StoreCapacityError } from '../src/errors.js';
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
  readonly token: string;
  state: 'in-flight' | 'completed';
  leaseExpiresAt: number;
  expiresAt: number;
  response: Uint8Array | undefined;
  bytes: number;
}

const ENTRY_OVERHEAD = 96;

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
  /** Completed records in completion order: the head is the first to evict. */
  readonly #completed = new Map<string, Entry>();
  /** In-flight records in reservation order. */
  readonly #inFlight = new Map<string, Entry>();
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
    const bytes = ENTRY_OVERHEAD + 2 * (key.length + fingerprint.length + token.length);
    this.#makeRoom(1, bytes, now);
    const entry: Entry = {
      key,
      fingerprint,
      token,
      state: 'in-flight',
      leaseExpiresAt: now + leaseMs,
      expiresAt: now + ttlMs,
      response: undefined,
      bytes,
    };
    this.#records.set(key, entry);
    this.#inFlight.set(key, entry);
    this.#bytes += bytes;
    return { kind: 'reserved', token };
  }

  async complete(key: string, token: string, response: Uint8Array, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const entry = this.#held(key, token, now);
    if (!entry) return false;
    const grow = response.length;
    if (entry.bytes + grow > this.#maxBytes) {
      throw new StoreCapacityError(`MemoryStore: a ${response.length}-byte response exceeds maxBytes`);
    }
    this.#makeRoom(0, grow, now, entry);
    // The caller's buffer is copied so that nothing it does later can change what is replayed.
    entry.response = response.slice();
    entry.bytes += grow;
    this.#bytes += grow;
    entry.state = 'completed';
    entry.expiresAt = now + ttlMs;
    this.#inFlight.delete(key);
    this.#completed.set(key, entry);
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
    return true;
  }

  async close(): Promise<void> {
    this.#records.clear();
    this.#completed.clear();
    this.#inFlight.clear();
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
    this.#completed.delete(entry.key);
    this.#inFlight.delete(entry.key);
    this.#bytes -= entry.bytes;
  }

  /**
   * Frees room for `entries` more records and `bytes` more bytes: expired records first (from the head of the
   * completion order, so the cost stays bounded when retention times differ), then abandoned
   * in-flight ones (lease over), then completed records oldest first. Live in-flight records are never evicted.
   */
  #makeRoom(entries: number, bytes: number, now: number, keep?: Entry): void {
    const full = () =>
      this.#records.size + entries > this.#maxEntries || this.#bytes + bytes > this.#maxBytes;
    if (!full()) return;
    for (const entry of this.#completed.values()) {
      if (entry.expiresAt > now) break;
      this.#drop(entry);
    }
    for (const entry of this.#inFlight.values()) {
      // `keep` is the record being completed: its lease may be over, but its holder still holds it.
      if (entry !== keep && (entry.expiresAt <= now || entry.leaseExpiresAt <= now)) this.#drop(entry);
    }
    for (const entry of this.#completed.values()) {
      if (!full()) return;
      this.#drop(entry);
    }
    if (full()) {
      throw new StoreCapacityError(
        `MemoryStore: full (${this.#records.size} records, ${this.#bytes} bytes) and every record is in flight`,
      );
    }
  }
}
