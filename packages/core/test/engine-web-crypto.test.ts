/** The engine where only Web Crypto exists: digests are promises, awaited; the decisions are the same. */
import { describe, expect, it, vi } from 'vitest';
import { createIdempotency } from '../src/engine.js';
import { MemoryStore } from '../src/memory-store.js';
import type { IdempotencyRequest } from '../src/request.js';

vi.mock('../src/hash.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/hash.js')>();
  return {
    ...original,
    sha256: (text: string, bytes?: Uint8Array) => original.sha256(text, bytes, true),
  };
});

const request = (body: string, fingerprint?: () => Promise<string>): IdempotencyRequest => ({
  method: 'POST',
  url: '/orders',
  header: (name) =>
    name === 'idempotency-key' ? '"k"' : name === 'content-type' ? 'application/json' : undefined,
  body: new TextEncoder().encode(body),
  context: undefined,
  route: fingerprint ? { fingerprint } : undefined,
});

describe('engine on Web Crypto', () => {
  it('reserves, replays and refuses a different body, with asynchronous digests', async () => {
    const engine = createIdempotency({ store: new MemoryStore() });
    const first = await engine.begin(request('{"a":1}'));
    if (first.kind !== 'execute') throw new Error(first.kind);
    expect(first.keyHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await first.commit({ status: 201, body: 'created' })).toBe('stored');
    expect((await engine.begin(request('{ "a": 1 }'))).kind).toBe('replay');
    expect((await engine.begin(request('{"a":2}'))).kind).toBe('reject');
  });

  it('awaits an asynchronous fingerprint function', async () => {
    const engine = createIdempotency({ store: new MemoryStore() });
    const same = async () => 'same';
    const first = await engine.begin(request('{"a":1}', same));
    if (first.kind !== 'execute') throw new Error(first.kind);
    await first.commit({ status: 201, body: 'created' });
    // Another body, but the function says it is the same request.
    expect((await engine.begin(request('{"a":2}', same))).kind).toBe('replay');
  });
});
