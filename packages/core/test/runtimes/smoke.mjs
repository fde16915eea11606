// Loaded by test/runtimes.test.ts on each runtime: core's built ESM must run there unchanged.

import { computeFingerprint, MemoryStore } from '@idempo/core-under-test';
import { createIdempotency } from '@idempo/core-under-test/adapter';

/** Whether core finds node:crypto here, as core looks for it (src/hash.ts). */
function hasNodeCrypto() {
  try {
    return typeof globalThis.process?.getBuiltinModule?.('node:crypto')?.createHash === 'function';
  } catch {
    return false;
  }
}

export async function smoke() {
  const idem = createIdempotency({ store: new MemoryStore() });
  const req = () => ({
    method: 'POST',
    url: '/orders',
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
    hash: hasNodeCrypto() ? 'node:crypto' : 'pure-js',
    fingerprintType: typeof fp,
    fingerprint: fp,
    keyHash: first.keyHash,
  };
}
