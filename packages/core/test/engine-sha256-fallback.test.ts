/** The engine where node:crypto is missing: digests from the pure-JS SHA-256, the same keys and decisions. */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createIdempotency } from '../src/engine.js';
import { MemoryStore } from '../src/memory-store.js';
import type { IdempotencyRequest } from '../src/request.js';

vi.mock('../src/hash.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/hash.js')>();
  return {
    ...original,
    sha256: (text: string, bytes?: Uint8Array) => original.sha256(text, bytes, true),
    sha256Segments: (segments: readonly (string | Uint8Array)[]) => original.sha256Segments(segments, true),
  };
});

/** What node:crypto gives: storageKey({ key: 'k' }), and the fingerprint of POST /orders with {"a":1}. */
const nodeDigest = (text: string) => createHash('sha256').update(text).digest('base64url');
const NODE_KEY = nodeDigest('idempo-key-v10:0:1:k');
const NODE_FINGERPRINT = nodeDigest('idempo-fp-v14:POST7:/orders0:json:{"a":1}');

const request = (body: string, fingerprint?: () => Promise<string>): IdempotencyRequest => ({
  method: 'POST',
  url: '/orders',
  header: (name) =>
    name === 'idempotency-key' ? '"k"' : name === 'content-type' ? 'application/json' : undefined,
  body: new TextEncoder().encode(body),
  context: undefined,
  route: fingerprint ? { fingerprint } : undefined,
});

describe('engine on the pure-JS SHA-256', () => {
  it('reserves, replays and refuses a different body, with the storage key and fingerprint of node:crypto', async () => {
    const store = new MemoryStore();
    const engine = createIdempotency({ store });
    const first = await engine.begin(request('{"a":1}'));
    if (first.kind !== 'execute') throw new Error(first.kind);
    expect(first.keyHash).toBe(NODE_KEY);
    expect((await store.get(NODE_KEY))?.fingerprint).toBe(NODE_FINGERPRINT);
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
