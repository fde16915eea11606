/** An app under test over real HTTP: a node:http server on 127.0.0.1 and a free port, reached by sendHttp. */
/// <reference types="node" />
import { Agent, createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdapterApp } from './adapter-types.js';
import { sendHttp } from './node-http-client.js';

/** A listening server as an app under test: `adapterSuite`'s `request`/`close`, and its port. */
export interface ServedHttp extends AdapterApp {
  /** The port the server listens on, on 127.0.0.1. */
  readonly port: number;
}

/**
 * What {@link listeningApp} needs of a server: a node:http `Server`, or one a framework's helper made
 * (`@hono/node-server`'s `serve` may give an HTTP/2 server, which has no `closeAllConnections`).
 */
export interface ListeningServer {
  /** Stops accepting connections; the callback runs once every connection has ended, or with an error. */
  close(callback: (error?: Error) => void): unknown;
  /** Drops every connection, idle or not (node:http's `Server` has it since Node 18.2). Default: not called. */
  closeAllConnections?: (() => void) | undefined;
}

/**
 * The app under test over a server that already listens on `127.0.0.1:<port>`: each `request` goes through
 * {@link sendHttp} on a keep-alive agent of its own (at most 64 sockets); `close()` destroys that agent, drops
 * every connection (`closeAllConnections`, when the server has it) and resolves once the server has closed (it
 * rejects with the server's error, a server that was not listening for one).
 *
 * @param server - The listening server.
 * @param port - Its port on 127.0.0.1.
 */
export function listeningApp(server: ListeningServer, port: number): ServedHttp {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return {
    port,
    request: (req) => sendHttp(port, agent, req),
    close: async () => {
      agent.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/**
 * Serves `listener` with `http.createServer` on 127.0.0.1 and a free port, and resolves with it as the app under
 * test ({@link listeningApp}). An Express app is a listener as it is; a Koa app's is `app.callback()`.
 *
 * @param listener - The request listener.
 */
export async function serveHttp(listener: RequestListener): Promise<ServedHttp> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return listeningApp(server, (server.address() as AddressInfo).port);
}
