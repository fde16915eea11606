/**
 * MemoryStore's byte accounting against the memory its records really take: 50,000 records with core's
 * 43-character keys and fingerprints, measured as `heapUsed + external` after a forced GC (the flag is set at run
 * time, so the test needs no `--expose-gc`). The assertion is on the accounting, never on time.
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/memory-store.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const RECORDS = 50_000;
const digest = () => randomBytes(32).toString('base64url');

function used(): number {
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Bytes per record, measured and accounted, for records completed with `responseBytes` (in flight when < 0). */
async function perRecord(responseBytes: number): Promise<{ measured: number; accounted: number }> {
  const store = new MemoryStore({ maxEntries: 10 * RECORDS, maxBytes: 2 ** 40 });
  const before = used();
  for (let i = 0; i < RECORDS; i++) {
    const key = digest();
    const r = await store.reserve(key, digest(), 30_000, 86_400_000);
    if (r.kind !== 'reserved') throw new Error('not reserved');
    if (responseBytes >= 0) await store.complete(key, r.token, new Uint8Array(responseBytes), 86_400_000);
  }
  const measured = (used() - before) / RECORDS;
  const accounted = store.bytes / RECORDS;
  expect(store.size).toBe(RECORDS); // the store is still referenced here: nothing was collected
  return { measured, accounted };
}

describe('MemoryStore byte accounting', () => {
  for (const [label, size] of [
    ['in flight', -1],
    ['completed, 20-byte response', 20],
    ['completed, 120-byte response', 120],
    ['completed, 1,020-byte response', 1_020],
  ] as const) {
    it(`[15.3] counts the bytes a record really takes within 20%: ${label}`, async () => {
      const { measured, accounted } = await perRecord(size);
      console.info(`MemoryStore ${label}: ${measured.toFixed(0)} bytes measured, ${accounted} accounted`);
      expect(accounted / measured).toBeGreaterThan(0.8);
      expect(accounted / measured).toBeLessThan(1.2);
    }, 60_000);
  }
});
