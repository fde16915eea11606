/**
 * A TCP proxy in front of PostgreSQL that can cut the network without telling anyone:
 * - `pause('drop')`: every byte in either direction is read and thrown away (packets lost; a socket closed by
 *   its client is closed upstream at once, so what it sent never arrives);
 * - `pause('delay')`: nothing is read; bytes wait in the kernel and are delivered, late, on `resume()`, as TCP
 *   delivers them when a partition heals (even for a socket its client has closed meanwhile).
 * Connections stay open in both modes, like behind a silent network.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export type ProxyFault = 'drop' | 'delay';

export interface TcpProxy {
  readonly port: number;
  pause(mode: ProxyFault): void;
  resume(): void;
  close(): Promise<void>;
}

type Pair = readonly [client: Socket, upstream: Socket];

const discard = () => {};

export function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let fault: ProxyFault | undefined;
  const pairs = new Set<Pair>();

  const apply = ([client, upstream]: Pair) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.off('data', discard);
    upstream.off('data', discard);
    if (fault === undefined) {
      client.pipe(upstream);
      upstream.pipe(client);
    } else if (fault === 'drop') {
      // unpipe() paused the streams, and a 'data' listener does not resume a paused stream: resume explicitly.
      client.on('data', discard).resume();
      upstream.on('data', discard).resume();
    } else {
      client.pause();
      upstream.pause();
    }
  };

  const server: Server = createServer((client) => {
    const upstream = tcpConnect(targetPort, targetHost);
    const pair: Pair = [client, upstream];
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A client gone while bytes are being dropped: its connection upstream goes at once, so nothing it sent
    // arrives. Otherwise the upstream side is ended gracefully, after whatever was forwarded (late or not).
    const clientGone = () => (fault === 'drop' ? close() : upstream.end());
    client.on('error', close).on('end', clientGone).on('close', clientGone);
    upstream.on('error', close).on('close', close);
    apply(pair);
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        port,
        pause(mode) {
          fault = mode;
          for (const pair of pairs) apply(pair);
        },
        resume() {
          fault = undefined;
          for (const pair of pairs) apply(pair);
        },
        close() {
          for (const [client, upstream] of pairs) {
            client.destroy();
            upstream.destroy();
          }
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
