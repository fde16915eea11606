/**
 * The peer servers of the HTTP benchmark: other idempotency libraries serving the reference `POST /orders` (and
 * `GET /stats`, `POST /stats/reset`) with the same handler as apps/reference.
 *
 * `node dist/peer-server.js --peer <name> [--port 0] [--host 127.0.0.1]` prints exactly one line
 * `listening on http://<host>:<port>` to stdout when ready (diagnostics go to stderr), and on SIGTERM or SIGINT
 * closes the server and the store's client, removes what it stored in Redis, and exits 0.
 */
import { createReferenceService } from '@idempo/testing/reference';
import { PEER_USAGE, type PeerArgs, type PeerName, parsePeerArgs } from './peer-args.js';
import type { PeerStartOptions, RunningPeer } from './peer-types.js';

/** Loads only the chosen peer's framework: Nest is not loaded for the Express peers, and the other way round. */
async function startPeer(name: PeerName, options: PeerStartOptions): Promise<RunningPeer> {
  switch (name) {
    case 'nest-peer-app-bare': {
      const { startNestPeerBare } = await import('./nest-peer-app.js');
      return startNestPeerBare(options);
    }
    case 'nest-idempo-memory':
    case 'nest-idempo-redis': {
      const { startNestIdempo } = await import('./nest-idempo-peer.js');
      return startNestIdempo(options, name === 'nest-idempo-redis' ? 'redis' : 'memory');
    }
    case 'nest-node-idempotency-memory':
    case 'nest-node-idempotency-redis': {
      const { startNestNodeIdempotency } = await import('./nest-node-idempotency-peer.js');
      return startNestNodeIdempotency(options, name === 'nest-node-idempotency-redis' ? 'redis' : 'memory');
    }
    case 'express-idempotency': {
      const { startExpressPeer } = await import('./express-peer.js');
      return startExpressPeer(options);
    }
  }
}

async function main(): Promise<void> {
  let args: PeerArgs;
  try {
    args = parsePeerArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${PEER_USAGE}`);
    process.exit(2);
  }
  const peer = await startPeer(args.peer, {
    service: createReferenceService(),
    host: args.host,
    port: args.port,
  });
  console.error(`peer server: ${args.peer}: ${peer.description}`);
  process.stdout.write(`listening on http://${args.host}:${peer.port}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`peer server: ${signal}, closing`);
    try {
      await peer.close();
      process.exit(0);
    } catch (error) {
      console.error(`peer server: close failed: ${String(error)}`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`peer server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
