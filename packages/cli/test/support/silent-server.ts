/**
 * A TCP server that accepts connections and never answers: a store server that hangs (or a firewall that drops
 * the replies), so that only a timeout can end a command against it.
 */
import { createServer, type Socket } from 'node:net';

/** A listening silent server. */
export interface SilentServer {
  readonly port: number;
  /** Connections it accepted. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

/** Starts a silent server on a free loopback port. */
export async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    accepted: () => accepted,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs `use(port)` against a fresh silent server and closes it; resolves with the result and the connections it accepted. */
export async function withSilentServer<T>(
  use: (port: number) => Promise<T>,
): Promise<T & { accepted: number }> {
  const server = await silentServer();
  try {
    const result = await use(server.port);
    return { ...result, accepted: server.accepted() };
  } finally {
    await server.close();
  }
}
