/**
 * The full engine path, as an adapter drives it: parse the key, hash the storage key and the fingerprint, call
 * the store, and for a first request commit the handler's response (header filtering, encoding, complete).
 * The handler itself costs nothing here.
 */
import { createIdempotency, type Idempotency, type IdempotencyRequest } from '@idempo/core/adapter';
import type { StoreTarget } from './store-target.js';
import { uniqueKeys } from './unique-keys.js';
import type { WorkloadFactory } from './workload.js';

const encoder = new TextEncoder();
const REQUEST_BODY = encoder.encode(JSON.stringify({ item: 'widget', colour: 'blue', quantity: 2 }));
const RESPONSE_BODY = encoder.encode(
  JSON.stringify({
    id: 'ord_3f9c1a7e',
    item: 'widget',
    colour: 'blue',
    quantity: 2,
    status: 'accepted',
    createdAt: '2026-01-01T00:00:00.000Z',
    note: 'x'.repeat(65),
  }),
);
const CAPTURED = {
  status: 201,
  headers: { 'content-type': 'application/json', location: '/orders/ord_3f9c1a7e' },
  body: RESPONSE_BODY,
} as const;

function orderRequest(key: string): IdempotencyRequest<undefined> {
  return {
    method: 'POST',
    url: '/orders',
    header: (name) => {
      if (name === 'idempotency-key') return key;
      if (name === 'content-type') return 'application/json';
      return undefined;
    },
    body: REQUEST_BODY,
    context: undefined,
  };
}

async function freshEngine(
  target: StoreTarget,
): Promise<{ engine: Idempotency<undefined>; close(): Promise<void> }> {
  const store = await target.makeStore();
  return {
    engine: createIdempotency<undefined>({ store }),
    close: async () => {
      await store.close?.();
    },
  };
}

/** `begin()` + `commit()` on new keys: what every first request costs. */
export function engineNewKeyWorkload(target: StoreTarget): WorkloadFactory {
  return async () => {
    const { engine, close } = await freshEngine(target);
    const keyOf = uniqueKeys(36);
    return {
      async run(index) {
        const decision = await engine.begin(orderRequest(keyOf(index)));
        if (decision.kind !== 'execute') throw new Error(`${target.name}: a new key gave ${decision.kind}`);
        const outcome = await decision.commit(CAPTURED);
        if (outcome !== 'stored') throw new Error(`${target.name}: commit gave ${outcome}`);
      },
      close,
    };
  };
}

/** `begin()` on a key whose response is stored: what every retry costs. */
export function engineReplayWorkload(target: StoreTarget): WorkloadFactory {
  return async () => {
    const { engine, close } = await freshEngine(target);
    const request = orderRequest(uniqueKeys(36)(0));
    const first = await engine.begin(request);
    if (first.kind !== 'execute' || (await first.commit(CAPTURED)) !== 'stored') {
      throw new Error(`${target.name}: could not store the response to replay`);
    }
    return {
      async run() {
        const decision = await engine.begin(request);
        if (decision.kind !== 'replay') throw new Error(`${target.name}: a stored key gave ${decision.kind}`);
      },
      close,
    };
  };
}
