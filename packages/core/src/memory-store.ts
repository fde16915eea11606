/**
 * An in-process store for development, tests and single-instance services. It is correct under any number of
 * concurrent async callers (every operation runs to completion without awaiting), decides lease and retention
 * expiry on read, is bounded, and owns no timer: nothing it does keeps the process alive.
 *
 * It does not share records between processes: behind a load balancer use a shared store (Redis, PostgreSQL,
 * MongoDB).
 */
import { InvalidOptionsError, StoreCapacityError } from './errors.js';
import { takeOver } from './handed-over.js';
import type {
  DeleteOptions,
  DeleteResult,
  IdempotencyStore,
  ReserveResult,
  StoredRecord,
  StoreStats,
} from './store.js';

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
  /** Neighbours in the order the record is in: completion order once completed, reservation order before. */
  prev: Entry | undefined;
  next: Entry | undefined;
  readonly key: string;
  readonly fingerprint: string;
  readonly token: string;
  state: 'in-flight' | 'completed';
  readonly createdAt: number;
  leaseExpiresAt: number;
  expiresAt: number;
  response: Uint8Array | undefined;
  bytes: number;
}

const ENTRY_OVERHEAD = 96;

/**
 * Records in the order they joined it, linked through the records themselves: appending and removing cost O(1)
 * and walking from the oldest never steps over removed ones (a Map does, until it is rehashed: with the store full
 * and evicting, each eviction used to step over thousands).
 */
class Order {
  head: Entry | undefined;
  #tail: Entry | undefined;

  push(entry: Entry): void {
    entry.prev = this.#tail;
    entry.next = undefined;
    if (this.#tail === undefined) this.head = entry;
    else this.#tail.next = entry;
    this.#tail = entry;
  }

  remove(entry: Entry): void {
    if (entry.prev === undefined) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.#tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = entry.next = undefined;
  }

  clear(): void {
    this.head = this.#tail = undefined;
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionsError(`MemoryStore: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** The in-memory {@link IdempotencyStore}. */
export class MemoryStore implements IdempotencyStore {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  /** Every record, by key. */
  readonly #records = new Map<string, Entry>();
  /** Completed records in completion order: the head is the first to evict. */
  readonly #completed = new Order();
  /** In-flight records in reservation order. */
  readonly #inFlight = new Order();
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
      prev: undefined,
      next: undefined,
      key,
      fingerprint,
      token,
      state: 'in-flight',
      createdAt: now,
      leaseExpiresAt: now + leaseMs,
      expiresAt: now + ttlMs,
      response: undefined,
      bytes,
    };
    this.#records.set(key, entry);
    this.#inFlight.push(entry);
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
    // The caller's buffer is copied so that nothing it does later can change what is replayed; a record the
    // engine handed over is no one else's, and is kept as it is.
    entry.response = takeOver(response) ? response : response.slice();
    entry.bytes += grow;
    this.#bytes += grow;
    this.#inFlight.remove(entry);
    entry.state = 'completed';
    entry.expiresAt = now + ttlMs;
    this.#completed.push(entry);
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

  async get(key: string): Promise<StoredRecord | undefined> {
    const entry = this.#records.get(key);
    if (!entry || entry.expiresAt <= this.#now()) return undefined;
    const completed = entry.state === 'completed';
    return {
      state: entry.state,
      fingerprint: entry.fingerprint,
      createdAt: new Date(entry.createdAt),
      leaseExpiresAt: completed ? undefined : new Date(entry.leaseExpiresAt),
      expiresAt: new Date(entry.expiresAt),
      response: completed ? (entry.response as Uint8Array).slice() : undefined,
    };
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    const entry = this.#records.get(key);
    if (!entry) return 'not-found';
    const now = this.#now();
    const live = entry.expiresAt > now;
    if (live && entry.state === 'in-flight' && entry.leaseExpiresAt > now && options.force !== true) {
      return 'in-flight';
    }
    this.#drop(entry);
    return live ? 'deleted' : 'not-found';
  }

  async stats(): Promise<StoreStats> {
    const now = this.#now();
    let inFlight = 0;
    let leaseExpired = 0;
    let completed = 0;
    for (const entry of this.#records.values()) {
      if (entry.expiresAt <= now) continue;
      if (entry.state === 'completed') completed++;
      else if (entry.leaseExpiresAt > now) inFlight++;
      else leaseExpired++;
    }
    return { inFlight, leaseExpired, completed };
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
    (entry.state === 'completed' ? this.#completed : this.#inFlight).remove(entry);
    this.#bytes -= entry.bytes;
  }

  /**
   * Frees room for `entries` more records and `bytes` more bytes: expired records first (from the head of the
   * completion order, so the cost stays bounded when retention times differ), then abandoned
   * in-flight ones (lease over), then completed records oldest first. Live in-flight records are never evicted.
   */
  #makeRoom(entries: number, bytes: number, now: number, keep?: Entry): void {
    if (!this.#full(entries, bytes)) return;
    for (let entry = this.#completed.head; entry !== undefined && entry.expiresAt <= now; ) {
      const next: Entry | undefined = entry.next;
      this.#drop(entry);
      entry = next;
    }
    for (let entry = this.#inFlight.head; entry !== undefined; ) {
      const next: Entry | undefined = entry.next;
      // `keep` is the record being completed: its lease may be over, but its holder still holds it.
      if (entry !== keep && (entry.expiresAt <= now || entry.leaseExpiresAt <= now)) this.#drop(entry);
      entry = next;
    }
    for (let entry = this.#completed.head; entry !== undefined; entry = this.#completed.head) {
      if (!this.#full(entries, bytes)) return;
      this.#drop(entry);
    }
    if (this.#full(entries, bytes)) {
      throw new StoreCapacityError(
        `MemoryStore: full (${this.#records.size} records, ${this.#bytes} bytes) and every record is in flight`,
      );
    }
  }

  #full(entries: number, bytes: number): boolean {
    return this.#records.size + entries > this.#maxEntries || this.#bytes + bytes > this.#maxBytes;
  }
}
