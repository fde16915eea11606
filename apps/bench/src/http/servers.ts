/**
 * The servers the HTTP benchmark compares, grouped by framework: the reference app on the bare framework
 * (`--store none`, the baseline of its group) and with idempo over each store, and the peer libraries on their
 * own servers (src/peers). Every server is a separate process that prints one `listening on <url>` line.
 */
import { fileURLToPath } from 'node:url';

/**
 * The groups by framework: the reference app's framework variants, then `nest-express-peer-app`, the Nest
 * (Express) app of src/peers/nest-peer-app.ts, where idempo and @node-idempotency/nestjs are compared on the same
 * app (handlers that return their body, as that library needs) over the same app without either. The `express`
 * group also holds the express-idempotency peer, measured against the reference app's bare Express.
 */
export const FRAMEWORKS = [
  'express',
  'fastify',
  'hono',
  'koa',
  'nest-express',
  'nest-fastify',
  'nest-express-peer-app',
] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The reference app's framework variants. */
type ReferenceFramework = Exclude<Framework, 'nest-express-peer-app'>;

/** What a server is: the group's baseline, idempo, or a peer library. */
export type ServerKind = 'bare' | 'idempo' | 'peer';

/** One server to measure. */
export interface BenchServer {
  /** Unique in a run, e.g. `fastify/redis`, `nest-express/peer-node-idempotency-redis`. */
  readonly id: string;
  /** Its group: the framework (and `express` for the Express peers). Ratios are taken within a group. */
  readonly group: string;
  /** Short name within the group: `bare`, `memory`, `redis`, `node-idempotency (redis)`, ... */
  readonly variant: string;
  readonly kind: ServerKind;
  /** What it needs running besides itself. */
  readonly needs: 'redis' | 'postgres' | 'mongo' | undefined;
  /** `node <args>` starts it. */
  readonly nodeArgs: readonly string[];
}

const REFERENCE_MAIN = fileURLToPath(import.meta.resolve('@idempo/reference/main'));
const PEER_MAIN = fileURLToPath(new URL('./peer-server.js', import.meta.url));

/** The idempo stores measured, beside `bare`. */
export const STORES = ['memory', 'redis', 'postgres', 'mongo'] as const;
export type BenchStore = (typeof STORES)[number];

function reference(framework: ReferenceFramework, store: BenchStore | 'none'): BenchServer {
  return {
    id: `${framework}/${store === 'none' ? 'bare' : store}`,
    group: framework,
    variant: store === 'none' ? 'bare' : store,
    kind: store === 'none' ? 'bare' : 'idempo',
    needs: store === 'none' || store === 'memory' ? undefined : store,
    nodeArgs: [REFERENCE_MAIN, '--framework', framework, '--store', store, '--port', '0'],
  };
}

function peer(group: string, name: string, variant: string, kind: ServerKind, needs?: 'redis'): BenchServer {
  return {
    id: `${group}/${name}`,
    group,
    variant,
    kind,
    needs,
    nodeArgs: [PEER_MAIN, '--peer', name, '--port', '0'],
  };
}

/**
 * The servers of one framework group: bare first, then idempo on each store, then that group's peers. The
 * Nest (Express) peer app: its bare, idempo on memory and Redis (of `stores`), then @node-idempotency/nestjs
 * on its memory and Redis storage. Express: the reference app bare and with @idempo/express, then
 * express-idempotency (its in-memory data adapter, on an Express 5 app with the same handler).
 */
export function serversFor(
  framework: Framework,
  stores: readonly BenchStore[],
  peers: boolean,
): BenchServer[] {
  if (framework === 'nest-express-peer-app') return nestPeerApp(stores, peers);
  const servers = [reference(framework, 'none'), ...stores.map((store) => reference(framework, store))];
  if (framework === 'express' && peers)
    servers.push(peer('express', 'express-idempotency', 'express-idempotency (memory)', 'peer'));
  return servers;
}

function nestPeerApp(stores: readonly BenchStore[], peers: boolean): BenchServer[] {
  const group = 'nest-express-peer-app';
  const servers = [peer(group, 'nest-peer-app-bare', 'bare', 'bare')];
  if (stores.includes('memory')) servers.push(peer(group, 'nest-idempo-memory', 'memory', 'idempo'));
  if (stores.includes('redis')) servers.push(peer(group, 'nest-idempo-redis', 'redis', 'idempo', 'redis'));
  if (peers) {
    servers.push(
      peer(group, 'nest-node-idempotency-memory', 'node-idempotency (memory)', 'peer'),
      peer(group, 'nest-node-idempotency-redis', 'node-idempotency (redis)', 'peer', 'redis'),
    );
  }
  return servers;
}
