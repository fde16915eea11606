/**
 * A Next.js App Router route handler, as Next calls it: `POST(request, { params })` with a `NextRequest` (a
 * Request subclass with `nextUrl` and `cookies`) and `params` a promise (Next 15). Next.js itself is not
 * installed: the subclass below has the members handlers use.
 */
import { MemoryStore } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { withIdempotency } from '../src/index.js';
import { newKey } from './support/client.js';

/** The members of Next's NextRequest that route handlers read. */
class NextRequestLike extends Request {
  get nextUrl(): URL {
    return new URL(this.url);
  }
  get cookies(): { get(name: string): { value: string } | undefined } {
    const header = this.headers.get('cookie') ?? '';
    return {
      get: (name) => {
        const found = header.split(/;\s*/).find((pair) => pair.startsWith(`${name}=`));
        return found === undefined ? undefined : { value: found.slice(name.length + 1) };
      },
    };
  }
}

type Params = { params: Promise<{ orderId: string }> };

let created = 0;
// app/orders/[orderId]/pay/route.ts
export const POST = withIdempotency(
  async (request: NextRequestLike, { params }: Params) => {
    const { orderId } = await params;
    const body = (await request.json()) as { amount: number };
    created++;
    return Response.json(
      {
        orderId,
        amount: body.amount,
        currency: request.nextUrl.searchParams.get('currency'),
        session: request.cookies.get('session')?.value ?? null,
        payment: created,
        isNext: request instanceof NextRequestLike,
      },
      { status: 201 },
    );
  },
  {
    store: new MemoryStore(),
    principal: ({ context }) => context.request.cookies.get('session')?.value,
    required: true,
  },
);

const call = (key: string | undefined, amount: number, session = 'abc') => {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    cookie: `session=${session}`,
  };
  if (key !== undefined) headers['idempotency-key'] = key;
  const request = new NextRequestLike('https://shop.example/orders/o-7/pay?currency=EUR', {
    method: 'POST',
    headers,
    body: JSON.stringify({ amount }),
  });
  return POST(request, { params: Promise.resolve({ orderId: 'o-7' }) });
};

describe('a Next.js route handler', () => {
  it('C14 C15 POST(request, { params }) runs once with the NextRequest itself and its params; the retry replays', async () => {
    const key = newKey();
    const first = await call(key, 100);
    expect(first.status).toBe(201);
    const expected = {
      orderId: 'o-7',
      amount: 100,
      currency: 'EUR',
      session: 'abc',
      payment: 1,
      isNext: true,
    };
    expect(await first.json()).toEqual(expected);
    const retry = await call(key, 100);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(expected);
    expect(created).toBe(1);
  });

  it('D26 B11 G41 another amount under the key is 422, no key is 400, another session is its own record', async () => {
    const key = newKey();
    await call(key, 100);
    expect((await call(key, 200)).status).toBe(422);
    expect((await call(undefined, 100)).status).toBe(400);
    const other = await call(key, 100, 'xyz');
    expect(other.headers.get('idempotent-replayed')).toBeNull();
  });

  it('E32 concurrent retries of one payment: one runs, the others are 409', async () => {
    const key = newKey();
    const before = created;
    const statuses = (await Promise.all(Array.from({ length: 8 }, () => call(key, 5)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(created - before).toBe(1);
  });
});
