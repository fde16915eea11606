/**
 * A Hono app served by @hono/node-server on 127.0.0.1 and a free port, reached through `@idempo/testing/node-http`'s
 * client (which keeps repeated field lines apart: Set-Cookie, A5). @hono/node-server answers with its own
 * lightweight `Request` and `Response` (the global ones are replaced once it serves): the path most Node apps take.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { listeningApp, type ServedHttp } from '@idempo/testing/node-http';
import type { Hono } from 'hono';

/** A listening @hono/node-server: the suite's `request`/`close`, and its port. */
export type Served = ServedHttp;

/** Serves `app` with @hono/node-server; `close()` drops every connection and closes the server. */
export async function serveHono(app: Pick<Hono, 'fetch'>): Promise<Served> {
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve({ server, port: info.port }),
      );
    },
  );
  return listeningApp(server, port);
}
