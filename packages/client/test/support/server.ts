/**
 * A real HTTP server for the client's tests: node:http with idempo's engine (@idempo/core, MemoryStore) in front
 * of a counting handler, plus switches for the faults a client must ride out.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStore } from '@idempo/core';
import { createIdempotency } from '@idempo/core/adapter';

export interface TestServer {
  readonly url: string;
  /** Handler executions so far. */
  executions(): number;
  /** Keys seen on every request, as sent. */
  readonly keys: string[];
  /** The next `n` requests get this status before idempo sees them (a proxy or a store outage). */
  failNext(n: number, status: number, headers?: Record<string, string>): void;
  /** The handler waits this long (ms). */
  handlerDelayMs: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startServer(): Promise<TestServer> {
  const idempotency = createIdempotency({ store: new MemoryStore(), retryAfterSeconds: 1 });
  let executions = 0;
  const failures: { status: number; headers: Record<string, string> }[] = [];
  const state = {
    keys: [] as string[],
    handlerDelayMs: 0,
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string') state.keys.push(key);
    const failure = failures.shift();
    if (failure) {
      res.writeHead(failure.status, failure.headers).end('failure');
      return;
    }
    const decision = await idempotency.begin({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      header: (name) => req.headers[name],
      body,
      context: req,
    });
    if (decision.kind === 'reject' || decision.kind === 'replay') {
      res.writeHead(decision.response.status, decision.response.headers.flat()).end(decision.response.body);
      return;
    }
    executions++;
    if (state.handlerDelayMs > 0) await new Promise((r) => setTimeout(r, state.handlerDelayMs));
    const answer = JSON.stringify({ n: executions, echo: body.toString('base64') });
    const response = {
      status: 201,
      headers: [['content-type', 'application/json']] as [string, string][],
      body: answer,
    };
    if (decision.kind === 'execute') await decision.commit(response);
    res.writeHead(201, response.headers.flat()).end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    executions: () => executions,
    failNext: (n: number, status: number, headers: Record<string, string> = {}) => {
      for (let i = 0; i < n; i++) failures.push({ status, headers });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
