/**
 * idempo on the Nest (Express) peer group's app (nest-peer-app.ts), set up as packages/nest/README.md says:
 * `IdempotencyModule.forRoot({ store, principal })` (the interceptor registered for every route) and the app
 * created with `{ rawBody: true }`, whose cost is therefore in idempo's figures. The principal is read from
 * `Authorization`, as in apps/reference (keys scoped per caller; @node-idempotency/nestjs does not scope them).
 *
 * The stores: memory as apps/reference opens it, and Redis over node-redis 5 (`redis`), the client library the
 * peer's Redis adapter uses (node-redis 4), with a fresh key prefix per start that is removed on close.
 */
import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import { IdempotencyModule, type PlatformRequest } from '@idempo/nest';
import { RedisStore } from '@idempo/store-redis';
import { principalFromAuthorization } from '@idempo/testing/reference';
import { createClient } from 'redis';
import { startNestPeerApp } from './nest-peer-app.js';
import type { PeerStartOptions, RunningPeer } from './peer-types.js';
import { removeRedisPrefix } from './redis-prefix.js';

/** Where idempo keeps its records in this group. */
export type NestIdempoStorage = 'memory' | 'redis';

interface OpenedStore {
  readonly store: IdempotencyStore;
  readonly description: string;
  close(): Promise<void>;
}

async function openStore(storage: NestIdempoStorage): Promise<OpenedStore> {
  if (storage === 'memory') {
    const store = new MemoryStore({ maxEntries: 1_000_000, maxBytes: 1024 * 1024 * 1024 });
    return { store, description: 'memory (MemoryStore)', close: () => store.close() };
  }
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const client = createClient({ url });
  client.on('error', (error: unknown) => console.error(`nest idempo peer: redis: ${String(error)}`));
  await client.connect();
  const prefix = `idempo-nest-peer-app-${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}:`;
  const store = new RedisStore({ client, prefix });
  return {
    store,
    description: `redis ${url} (node-redis 5) prefix ${prefix}`,
    async close() {
      await store.close();
      await client.close();
      await removeRedisPrefix({ url, pattern: `${prefix}*` });
    },
  };
}

/** Starts the group's app with idempo over `storage`. Redis: `REDIS_URL`. */
export async function startNestIdempo(
  options: PeerStartOptions,
  storage: NestIdempoStorage,
): Promise<RunningPeer> {
  const opened = await openStore(storage);
  const app = await startNestPeerApp(
    options.service,
    {
      imports: [
        IdempotencyModule.forRoot<PlatformRequest>({
          store: opened.store,
          principal: ({ context }) => principalFromAuthorization(context.headers['authorization']),
        }),
      ],
      rawBody: true,
    },
    options,
  );
  return {
    port: app.port,
    description: `nest 12 (peer app, rawBody) + @idempo/nest over ${opened.description}`,
    async close() {
      await app.close();
      await opened.close();
    },
  };
}
