/**
 * A Hono app served by @hono/node-server on 127.0.0.1 and a free port, and a small HTTP/1.1 client over node:http
 * that keeps repeated field lines apart (Set-Cookie, A5). @hono/node-server answers with its own lightweight
 * `Request` and `Response` (the global ones are replaced once it serves): the path most Node apps take.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { AdapterApp, AdapterRequest, AdapterResponse } from '@idempo/testing';
import type { Hono } from 'hono';

/** Sends `req` to `http://127.0.0.1:<port>` and resolves with the whole response. */
export function send(port: number, agent: Agent, req: AdapterRequest): Promise<AdapterResponse> {
  const headers: [string, string][] = [['host', `127.0.0.1:${port}`]];
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    for (const v of typeof value === 'string' ? [value] : value) headers.push([name, v]);
  }
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
  if (body !== undefined) headers.push(['content-length', String(body.length)]);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        agent,
        headers: headers.flat(),
        ...(req.signal === undefined ? {} : { signal: req.signal }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const out: Record<string, string | string[]> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            const value = res.rawHeaders[i + 1] as string;
            const previous = out[name];
            out[name] =
              previous === undefined
                ? value
                : [...(typeof previous === 'string' ? [previous] : previous), value];
          }
          resolve({ status: res.statusCode ?? 0, headers: out, body: new Uint8Array(Buffer.concat(chunks)) });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A listening @hono/node-server: the suite's `request`/`close`, and its port. */
export interface Served extends AdapterApp {
  readonly port: number;
}

/** Serves `app` with @hono/node-server; `close()` drops every connection and closes the server. */
export async function serveHono(app: Pick<Hono, 'fetch'>): Promise<Served> {
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve({ server, port: info.port }),
      );
    },
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return {
    port,
    request: (req) => send(port, agent, req),
    close: async () => {
      agent.destroy();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
