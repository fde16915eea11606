/**
 * The peer servers (src/peers) as the HTTP benchmark runs them: the built dist/peer-server.js as a process. Each
 * answers the reference `POST /orders`, and each library behaves as found by reading its source and trying it
 * (a retry, concurrent duplicates, another body under the same key, another caller, a failing handler): these
 * tests assert what the peers do today, so that a change in a peer's version or set-up shows.
 * Needs Redis on REDIS_URL (default redis://127.0.0.1:6379) and a build (`pnpm turbo run build --filter @idempo/bench...`).
 */
import { fileURLToPath } from 'node:url';
import { type ReferenceProcess, startReference, startServerProcess } from '@idempo/reference/process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PEER_SERVER = fileURLToPath(new URL('../dist/peer-server.js', import.meta.url));
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const ORDER = { item: 'book', qty: 1 };
/** Long enough that the nine duplicates arrive while the first one runs, even on a loaded machine. */
const DUPLICATE_DELAY_MS = 1000;

type PeerProcess = ReferenceProcess;

/** The built peer server as a process, through the reference app's launcher (same `listening on` protocol). */
function startPeer(name: string, timeoutMs = 30_000): Promise<PeerProcess> {
  return startServerProcess([PEER_SERVER, '--peer', name, '--port', '0'], { REDIS_URL }, timeoutMs);
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

async function postOrder(
  url: string,
  key: string | undefined,
  options: { body?: unknown; query?: string; principal?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${options.principal ?? 'alice'}`,
  };
  if (key !== undefined) headers['idempotency-key'] = key;
  const response = await fetch(`${url}/orders${options.query ?? ''}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(options.body ?? ORDER),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? undefined : JSON.parse(text),
  };
}

async function executions(url: string): Promise<number> {
  const response = await fetch(`${url}/stats`);
  const stats = (await response.json()) as { executions: Record<string, number> };
  return stats.executions['POST /orders'] as number;
}

async function resetStats(url: string): Promise<void> {
  const response = await fetch(`${url}/stats/reset`, { method: 'POST' });
  expect(response.status).toBe(204);
}

/** The first request of a key: the reference answer, whatever the peer. */
function expectReferenceAnswer(answer: Answer, id: number, principal = 'alice'): void {
  expect(answer.status).toBe(201);
  expect(answer.json).toEqual({ id, item: 'book', qty: 1, principal });
  expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(answer.headers.get('location')).toBe(`/orders/${id}`);
  expect(answer.headers.get('etag')).toBe(`"${id}"`);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
  expect(answer.headers.getSetCookie()).toEqual([`order=${id}; Path=/`]);
}

/** A stored answer sent again: status and body, Content-Type, and none of the handler's other headers. */
function expectBareReplay(answer: Answer, id: number): void {
  expect(answer.status).toBe(201);
  expect(answer.json).toEqual({ id, item: 'book', qty: 1, principal: 'alice' });
  expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(answer.headers.get('location')).toBeNull();
  expect(answer.headers.get('x-request-id')).toBeNull();
  expect(answer.headers.get('cache-control')).toBeNull();
  expect(answer.headers.getSetCookie()).toEqual([]);
  // Express's own weak ETag of the body, not the handler's "1".
  expect(answer.headers.get('etag')).toMatch(/^W\//);
}

function duplicates(url: string, key: string, count: number): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: count }, () => postOrder(url, key, { query: `?delay=${DUPLICATE_DELAY_MS}` })),
  );
}

function statuses(answers: readonly Answer[]): number[] {
  return answers.map((a) => a.status).sort((a, b) => a - b);
}

describe('peer-server command line', () => {
  it('rejects an unknown peer with exit code 2 and the usage on stderr', async () => {
    const started = startServerProcess([PEER_SERVER, '--peer', 'nope']);
    await expect(started).rejects.toThrow(/exited with 2 before listening/);
    await expect(started).rejects.toThrow(/--peer must be one of nest-node-idempotency-memory/);
    await expect(started).rejects.toThrow(/usage: node dist\/peer-server\.js/);
  });
});

describe('the bare Express of the express group (the reference app, --framework express --store none)', () => {
  let peer: PeerProcess;
  beforeAll(async () => {
    peer = await startReference(['--framework', 'express', '--store', 'none', '--port', '0']);
  }, 60_000);
  afterAll(async () => {
    expect(await peer.stop()).toBe(0);
  });

  it('answers POST /orders like the reference app, on stdout only the listening line', async () => {
    expectReferenceAnswer(await postOrder(peer.url, 'bare-1'), 1);
    expect(peer.stdout()).toBe(`listening on ${peer.url}\n`);
    expect(peer.stderr()).toContain('express over no idempo');
  });

  it('ignores the key: a retry, duplicates and another body all run the handler', async () => {
    await resetStats(peer.url);
    expectReferenceAnswer(await postOrder(peer.url, 'bare-2'), 1);
    expectReferenceAnswer(await postOrder(peer.url, 'bare-2'), 2);
    expect(statuses(await duplicates(peer.url, 'bare-3', 10))).toEqual(Array(10).fill(201));
    expect((await postOrder(peer.url, 'bare-2', { body: { item: 'pen', qty: 2 } })).status).toBe(201);
    expect(await executions(peer.url)).toBe(13);
  });
});

describe('express-idempotency (Express 5, its in-memory data adapter)', () => {
  let peer: PeerProcess;
  beforeAll(async () => {
    peer = await startPeer('express-idempotency');
  }, 60_000);
  afterAll(async () => {
    expect(await peer.stop()).toBe(0);
  });

  it('answers a first POST /orders like the reference app, echoing the key in a response header', async () => {
    const first = await postOrder(peer.url, 'ei-1');
    expectReferenceAnswer(first, 1);
    expect(first.headers.get('idempotency-key')).toBe('ei-1');
    expect(peer.stdout()).toBe(`listening on ${peer.url}\n`);
    expect(peer.stderr()).toContain('express-idempotency 1.0.6');
  });

  it('replays a retry: 201 and the body, only Content-Type kept, no replay marker, the handler not run', async () => {
    await resetStats(peer.url);
    expectReferenceAnswer(await postOrder(peer.url, 'ei-2'), 1);
    const retry = await postOrder(peer.url, 'ei-2');
    expectBareReplay(retry, 1);
    expect(retry.headers.get('idempotency-key')).toBe('ei-2');
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await executions(peer.url)).toBe(1);
  });

  it('runs one of 10 concurrent duplicates; the other 9 get 409 (no Retry-After) through next(error)', async () => {
    await resetStats(peer.url);
    const answers = await duplicates(peer.url, 'ei-3', 10);
    expect(statuses(answers)).toEqual([201, ...Array(9).fill(409)]);
    for (const conflict of answers.filter((a) => a.status === 409)) {
      expect(conflict.json).toEqual({ error: 'A previous request is still in progress for this key.' });
      expect(conflict.headers.get('retry-after')).toBeNull();
    }
    expect(await executions(peer.url)).toBe(1);
  });

  it('answers 417 to the same key with another body, and replays a body with its fields reordered', async () => {
    await resetStats(peer.url);
    expectReferenceAnswer(await postOrder(peer.url, 'ei-4'), 1);
    const other = await postOrder(peer.url, 'ei-4', { body: { item: 'pen', qty: 2 } });
    expect(other.status).toBe(417);
    expect(other.json).toEqual({ error: 'Misuse of the idempotency key. Please check your request.' });
    // deep-equal on the parsed body: the order of the fields does not matter.
    expectBareReplay(await postOrder(peer.url, 'ei-4', { body: { qty: 1, item: 'book' } }), 1);
    // The query is part of the request compared: the same key on ?x=1 is a misuse too.
    expect((await postOrder(peer.url, 'ei-4', { query: '?x=1' })).status).toBe(417);
    expect(await executions(peer.url)).toBe(1);
  });

  it('does not scope keys by caller: another principal with the same key gets the first caller’s answer', async () => {
    await resetStats(peer.url);
    expectReferenceAnswer(await postOrder(peer.url, 'ei-5'), 1);
    const bob = await postOrder(peer.url, 'ei-5', { principal: 'bob' });
    expect(bob.status).toBe(201);
    expect(bob.json).toEqual({ id: 1, item: 'book', qty: 1, principal: 'alice' });
    expect(await executions(peer.url)).toBe(1);
  });

  it('keeps only 2xx answers: a failed handler (500) and a 400 run again on retry', async () => {
    await resetStats(peer.url);
    expect((await postOrder(peer.url, 'ei-6', { query: '?throw=1' })).status).toBe(500);
    expect((await postOrder(peer.url, 'ei-6', { query: '?throw=1' })).status).toBe(500);
    expect((await postOrder(peer.url, 'ei-7', { body: [1] })).status).toBe(400);
    expect((await postOrder(peer.url, 'ei-7', { body: [1] })).status).toBe(400);
    expect(await executions(peer.url)).toBe(4);
  });
});

for (const storage of ['memory', 'redis'] as const) {
  describe(`@node-idempotency/nestjs on Nest 12 (${storage})`, () => {
    const name = `nest-node-idempotency-${storage}`;
    let peer: PeerProcess;
    beforeAll(async () => {
      peer = await startPeer(name);
    }, 60_000);
    afterAll(async () => {
      if (peer.child.exitCode === null) expect(await peer.stop()).toBe(0);
    });

    it('answers a first POST /orders like the reference app', async () => {
      const first = await postOrder(peer.url, 'ni-1');
      expectReferenceAnswer(first, 1);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(peer.stdout()).toBe(`listening on ${peer.url}\n`);
      expect(peer.stderr()).toContain(`@node-idempotency/nestjs 1.0.4 over ${storage}`);
    });

    it('replays a retry: 201 and the body, Content-Type and Idempotent-Replayed: true, the handler not run', async () => {
      await resetStats(peer.url);
      expectReferenceAnswer(await postOrder(peer.url, 'ni-2'), 1);
      const retry = await postOrder(peer.url, 'ni-2');
      expectBareReplay(retry, 1);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await executions(peer.url)).toBe(1);
    });

    it('runs one of 10 concurrent duplicates; the other 9 get 409 with Retry-After: 1', async () => {
      await resetStats(peer.url);
      const answers = await duplicates(peer.url, 'ni-3', 10);
      expect(statuses(answers)).toEqual([201, ...Array(9).fill(409)]);
      for (const conflict of answers.filter((a) => a.status === 409)) {
        expect(conflict.json).toEqual({
          statusCode: 409,
          message: 'A request is outstanding for this Idempotency-Key',
        });
        expect(conflict.headers.get('retry-after')).toBe('1');
      }
      expect(await executions(peer.url)).toBe(1);
    });

    it('answers 422 to the same key with another body, also to the same fields in another order', async () => {
      await resetStats(peer.url);
      expectReferenceAnswer(await postOrder(peer.url, 'ni-4'), 1);
      const other = await postOrder(peer.url, 'ni-4', { body: { item: 'pen', qty: 2 } });
      expect(other.status).toBe(422);
      expect(other.json).toEqual({ statusCode: 422, message: 'Idempotency-Key is already used' });
      // The fingerprint hashes JSON.stringify of the parsed body: the order of the fields matters.
      expect((await postOrder(peer.url, 'ni-4', { body: { qty: 1, item: 'book' } })).status).toBe(422);
      // The record is keyed by method, URL with its query, and key: the same key on ?x=1 runs again.
      expect((await postOrder(peer.url, 'ni-4', { query: '?x=1' })).status).toBe(201);
      expect(await executions(peer.url)).toBe(2);
    });

    it('does not scope keys by caller: another principal with the same key gets the first caller’s answer', async () => {
      await resetStats(peer.url);
      expectReferenceAnswer(await postOrder(peer.url, 'ni-5'), 1);
      const bob = await postOrder(peer.url, 'ni-5', { principal: 'bob' });
      expectBareReplay(bob, 1);
      expect(await executions(peer.url)).toBe(1);
    });

    it('stores errors too: a failed handler’s 500 and a 400 are replayed, the handler not run again', async () => {
      await resetStats(peer.url);
      expect((await postOrder(peer.url, 'ni-6', { query: '?throw=1' })).status).toBe(500);
      const replayed = await postOrder(peer.url, 'ni-6', { query: '?throw=1' });
      expect(replayed.status).toBe(500);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect((await postOrder(peer.url, 'ni-7', { body: [1] })).status).toBe(400);
      const bad = await postOrder(peer.url, 'ni-7', { body: [1] });
      expect(bad.status).toBe(400);
      expect(bad.json).toEqual({ error: 'the body must be a JSON object {item, qty}' });
      expect(await executions(peer.url)).toBe(2);
    });

    if (storage === 'redis') {
      it('keeps its records under a fresh prefix for 24 h, and removes them on SIGTERM', async () => {
        const prefix = /prefix (node-idempotency-bench-[0-9a-f]{16})/.exec(peer.stderr())?.[1];
        expect(prefix).toBeDefined();
        const redis = new Redis(REDIS_URL);
        try {
          const record = JSON.parse((await redis.get(`${prefix}:POST:/orders:ni-2`)) ?? 'null') as unknown;
          expect(record).toMatchObject({
            status: 'COMPLETE',
            fingerPrint: expect.stringMatching(/^[0-9a-f]{64}$/),
            response: {
              additional: { statusCode: 201, 'Content-Type': 'application/json; charset=utf-8' },
              body: JSON.stringify({ id: 1, item: 'book', qty: 1, principal: 'alice' }),
            },
          });
          const ttl = await redis.pttl(`${prefix}:POST:/orders:ni-2`);
          expect(ttl).toBeGreaterThan(86_000_000);
          expect(ttl).toBeLessThanOrEqual(86_400_000);
          expect(await peer.stop()).toBe(0);
          expect(await redis.keys(`${prefix}:*`)).toEqual([]);
        } finally {
          redis.disconnect();
        }
      });
    }
  });
}
