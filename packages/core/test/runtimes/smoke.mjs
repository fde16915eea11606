// Loaded by test/runtimes.test.ts on each runtime: core's built ESM must run there unchanged.

import { computeFingerprint, MemoryStore } from '@idempo/core-under-test';
import { createIdempotency } from '@idempo/core-under-test/adapter';

export async function smoke() {
  const idem = createIdempotency({ store: new MemoryStore() });
  const req = () => ({
    method: 'POST',
    path: '/orders',
    header: (n) => (n === 'idempotency-key' ? '"k"' : n === 'content-type' ? 'application/json' : undefined),
    body: new TextEncoder().encode('{"b":2,"a":1}'),
    context: {},
  });
  const first = await idem.begin(req());
  const duplicate = await idem.begin(req());
  const outcome = await first.commit({ status: 201, headers: { location: '/orders/1' }, body: 'created' });
  const replay = await idem.begin(req());
  const fp = computeFingerprint({ method: 'POST', path: '/orders', body: new Uint8Array([1]) });
  return {
    first: first.kind,
    duplicate: duplicate.response?.status,
    outcome,
    replay: replay.kind,
    status: replay.response.status,
    body: new TextDecoder().decode(replay.response.body),
    hash: typeof fp === 'string' ? 'node:crypto' : 'web-crypto',
    fingerprint: await fp,
  };
}
