/** Real `node:http` servers and clients for the tests of `@idempo/core/node`. */
import { once } from 'node:events';
import {
  type Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type RequestListener,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';

/** A listening server. */
export interface Served {
  readonly server: Server;
  readonly port: number;
  /** Closes the server and every connection it still has. */
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1, on a free port. */
export async function listen(handler: RequestListener): Promise<Served> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** What {@link send} sends. */
export interface Outgoing {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The body, in pieces; written `gapMs` apart. */
  readonly pieces?: readonly Uint8Array[];
  readonly gapMs?: number;
  readonly agent?: Agent;
}

/** A response as received. */
export interface Received {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The socket the response came on (to tell a kept-alive connection). */
  readonly socket: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one request and resolves with the whole response. */
export async function send(port: number, outgoing: Outgoing = {}): Promise<Received> {
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    method: outgoing.method ?? 'POST',
    path: outgoing.path ?? '/',
    headers: outgoing.headers,
    agent: outgoing.agent,
  });
  const answer = new Promise<Received>((resolve, reject) => {
    request.on('response', async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks),
        socket: request.socket,
      });
    });
    request.on('error', reject);
  });
  for (const piece of outgoing.pieces ?? []) {
    request.write(piece);
    if (outgoing.gapMs) await sleep(outgoing.gapMs);
  }
  request.end();
  return answer;
}

/** Writes `head` (a request's bytes, as is) on a new connection and resolves with everything the server sends. */
export async function sendRaw(port: number, head: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end(head);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
