/**
 * The Nest (Express) peer app (src/peers/nest-peer-app.ts) bare and with idempo, as the HTTP benchmark runs them:
 * the built dist/peer-server.js as a process. The bare app runs the handler every time; idempo on it answers a
 * retry with the stored answer byte for byte, concurrent duplicates 409 and another body 422, on memory and on
 * Redis. (@node-idempotency/nestjs on the same app: peers.test.ts.)
 * Needs Redis on REDIS_URL (default redis://127.0.0.1:6379) and a build (`pnpm turbo run build --filter @idempo/bench...`).
 */
import { fileURLToPath } from 'node:url';
import { type ReferenceProcess, startServerProcess } from '@idempo/reference/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PEER_SERVER = fileURLToPath(new URL('../dist/peer-server.js', import.meta.url));
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const ORDER = JSON.stringify({ item: 'book', qty: 1 });

interface Answer {
  readonly status: number;
  readonly headers: [string, string][];
  readonly text: string;
}

async function postOrder(url: string, key: string, body = ORDER, query = ''): Promise<Answer> {
  const response = await fetch(`${url}/orders${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer alice', 'idempotency-key': key },
    body,
  });
  const headers = [...response.headers].filter(([name]) => name !== 'date' && name !== 'idempotent-replayed');
  return { status: response.status, headers, text: await response.text() };
}

async function executions(url: string): Promise<number> {
  const stats = (await (await fetch(`${url}/stats`)).json()) as { executions: Record<string, number> };
  return stats.executions['POST /orders'] as number;
}

describe('nest-peer-app-bare', () => {
  let peer: ReferenceProcess;
  beforeAll(async () => {
    peer = await startServerProcess([PEER_SERVER, '--peer', 'nest-peer-app-bare', '--port', '0'], {}, 30_000);
  }, 60_000);
  afterAll(async () => {
    expect(await peer.stop()).toBe(0);
  });

  it('answers POST /orders with the reference answer and runs the handler for every request', async () => {
    const first = await postOrder(peer.url, '"k1"');
    expect(first.status).toBe(201);
    expect(JSON.parse(first.text)).toEqual({ id: 1, item: 'book', qty: 1, principal: 'alice' });
    expect((await postOrder(peer.url, '"k1"')).status).toBe(201);
    expect(await executions(peer.url)).toBe(2);
    expect(peer.stdout()).toBe(`listening on ${peer.url}\n`);
  });
});

describe.each(['memory', 'redis'])('nest-idempo-%s', (store) => {
  let peer: ReferenceProcess;
  beforeAll(async () => {
    peer = await startServerProcess(
      [PEER_SERVER, '--peer', `nest-idempo-${store}`, '--port', '0'],
      { REDIS_URL },
      30_000,
    );
  }, 60_000);
  afterAll(async () => {
    expect(await peer.stop()).toBe(0);
  });

  it('replays a retry byte for byte without running the handler, and answers 422 to another body', async () => {
    const first = await postOrder(peer.url, '"r1"');
    expect(first.status).toBe(201);
    expect(JSON.parse(first.text)).toEqual({ id: 1, item: 'book', qty: 1, principal: 'alice' });
    // Set-Cookie (C22) and X-Request-Id are per request: not stored, so not replayed.
    const stored = first.headers.filter(([name]) => name !== 'set-cookie' && name !== 'x-request-id');
    expect(await postOrder(peer.url, '"r1"')).toEqual({ ...first, headers: stored });
    expect((await postOrder(peer.url, '"r1"', JSON.stringify({ item: 'pen', qty: 2 }))).status).toBe(422);
    expect(await executions(peer.url)).toBe(1);
  });

  it('runs one of 8 concurrent duplicates; the others get 409', async () => {
    const before = await executions(peer.url);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => postOrder(peer.url, '"d1"', ORDER, '?delay=1000')),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(7).fill(409)]);
    expect((await executions(peer.url)) - before).toBe(1);
  });
});
