/** Serves an Express app (4 or 5) on 127.0.0.1 and a free port through `http.createServer(app)`. */
import { Agent, createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdapterApp } from '@idempo/testing';
import { send } from './http-client.js';

/** A listening server: the suite's `request`/`close`, and its port. */
export interface Served extends AdapterApp {
  readonly port: number;
}

/** Listens with the app as the request listener; `close()` drops every connection and closes the server. */
export async function serve(app: RequestListener): Promise<Served> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return {
    port,
    request: (req) => send(port, agent, req),
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
