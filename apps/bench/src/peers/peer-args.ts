/** The command line of the peer servers: `node dist/peer-server.js --peer <name> [--port 0] [--host 127.0.0.1]`. */
import { parseArgs } from 'node:util';

/**
 * The peer servers: other idempotency libraries (express-idempotency is compared with the reference app's bare
 * Express), and the Nest (Express) peer app (src/peers/nest-peer-app.ts) bare, with idempo and with
 * @node-idempotency/nestjs.
 */
export const PEERS = [
  'nest-node-idempotency-memory',
  'nest-node-idempotency-redis',
  'express-idempotency',
  'nest-peer-app-bare',
  'nest-idempo-memory',
  'nest-idempo-redis',
] as const;

/** One of {@link PEERS}. */
export type PeerName = (typeof PEERS)[number];

/** The parsed command line. */
export interface PeerArgs {
  readonly peer: PeerName;
  /** 0 picks a free port. Default 0. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host: string;
}

/** The usage text. */
export const PEER_USAGE = `usage: node dist/peer-server.js --peer <${PEERS.join('|')}> [--port 0] [--host 127.0.0.1]
environment: REDIS_URL (default redis://127.0.0.1:6379) for nest-idempo-redis and nest-node-idempotency-redis`;

/** Parses `argv` (without node and the script). Throws with a readable message. */
export function parsePeerArgs(argv: readonly string[]): PeerArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      peer: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}`);
  const peer = values.peer;
  if (peer === undefined || !(PEERS as readonly string[]).includes(peer)) {
    throw new Error(`--peer must be one of ${PEERS.join(', ')}, got ${peer ?? 'nothing'}`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be an integer from 0 to 65535, got ${values.port}`);
  }
  return { peer: peer as PeerName, port, host: values.host ?? '127.0.0.1' };
}
