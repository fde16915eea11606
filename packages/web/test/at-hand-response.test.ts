/**
 * A response in @hono/node-server's lightweight form (its parts `[status, body, headers]` under a symbol named
 * `cache`, as it keeps a `new Response(text or bytes, init)` until something needs a real one) is captured from
 * those parts and sent as it is; any other form is read as a stream (C15, C20, C25, I11).
 */
import { describe, expect, it } from 'vitest';
import { withIdempotency } from '../src/index.js';
import { countingStore, newKey, request } from './support/client.js';

const cache = Symbol('cache');

/** A real Response carrying its parts as @hono/node-server's lightweight one does; `body` counts its reads. */
function lightweight(
  body: string | Uint8Array<ArrayBuffer> | ReadableStream | null,
  init: ResponseInit = {},
) {
  const res = new Response(body, init);
  (res as unknown as Record<symbol, unknown>)[cache] = [res.status, body, res.headers];
  let reads = 0;
  const realBody = Object.getOwnPropertyDescriptor(Response.prototype, 'body')?.get as () => unknown;
  Object.defineProperty(res, 'body', {
    get() {
      reads++;
      return realBody.call(this);
    },
  });
  return { res, reads: () => reads };
}

const json = { item: 'book' };

describe('a lightweight response with its body at hand', () => {
  it('C15 C20 text is stored from its parts, sent as it is (not read), and replayed with a Content-Type', async () => {
    const store = countingStore();
    let made: ReturnType<typeof lightweight> | undefined;
    const handler = withIdempotency(
      async () => {
        made = lightweight('héllo', { status: 201, headers: { etag: '"1"' } });
        made.res.headers.delete('content-type');
        return made.res;
      },
      { store },
    );
    const key = newKey();
    const first = await handler(request('/t', { key, json }));
    expect(first).toBe(made?.res);
    expect(made?.reads()).toBe(0);
    expect(first.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    const replay = await handler(request('/t', { key, json }));
    expect(replay.status).toBe(201);
    expect(replay.headers.get('etag')).toBe('"1"');
    expect(replay.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(await replay.text()).toBe('héllo');
    expect(await first.text()).toBe('héllo');
    expect(store.completes).toBe(1);
  });

  it('C15 bytes and no body are stored from their parts; a body over maxBodyBytes is sent and not stored', async () => {
    const store = countingStore();
    const bodies: (Uint8Array<ArrayBuffer> | string | null)[] = [
      new Uint8Array([1, 2, 3]),
      null,
      'x'.repeat(50),
    ];
    let i = 0;
    const handler = withIdempotency(
      async () =>
        lightweight(bodies[i++ % 3] ?? null, { status: 200, headers: { 'content-type': 'a/b' } }).res,
      { store, maxBodyBytes: 10 },
    );
    const keys = [newKey(), newKey(), newKey()];
    for (const key of keys) await handler(request('/b', { key, json }));
    expect(store.completes).toBe(2);
    const bytes = await handler(request('/b', { key: keys[0], json }));
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([1, 2, 3]);
    const none = await handler(request('/b', { key: keys[1], json }));
    expect(none.headers.get('idempotent-replayed')).toBe('true');
    expect(await none.text()).toBe('');
    const large = await handler(request('/b', { key: keys[2], json }));
    expect(large.headers.get('idempotent-replayed')).toBeNull();
  });

  it('C25 a declared stream, a declared longer Content-Length and a stream body go the general way', async () => {
    const store = countingStore();
    const made: ReturnType<typeof lightweight>[] = [];
    const answers = [
      () => lightweight('data: 1\n\n', { headers: { 'content-type': 'text/event-stream' } }),
      () =>
        lightweight(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new Uint8Array([9]));
              controller.close();
            },
          }),
        ),
      () => lightweight('abc', { headers: { 'content-length': '5000' } }),
    ];
    const handler = withIdempotency(
      async () => {
        const next = answers[made.length]?.() as ReturnType<typeof lightweight>;
        made.push(next);
        return next.res;
      },
      { store, maxBodyBytes: 100 },
    );
    const sse = await handler(request('/s', { key: newKey(), json }));
    expect(await sse.text()).toBe('data: 1\n\n');
    const streamed = await handler(request('/s', { key: newKey(), json }));
    expect([...new Uint8Array(await streamed.arrayBuffer())]).toEqual([9]);
    const declared = await handler(request('/s', { key: newKey(), json }));
    expect(declared).toBe(made[2]?.res);
    expect(made.map((m) => m.reads() > 0)).toEqual([true, true, true]);
    expect(store.completes).toBe(1);
  });

  it('C15 a plain Response after a lightweight one is read as a stream', async () => {
    const store = countingStore();
    let calls = 0;
    const handler = withIdempotency(
      async () => (calls++ % 2 === 0 ? lightweight('light').res : new Response('plain', { status: 202 })),
      { store },
    );
    await handler(request('/p', { key: newKey(), json }));
    const key = newKey();
    expect(await (await handler(request('/p', { key, json }))).text()).toBe('plain');
    const replay = await handler(request('/p', { key, json }));
    expect(replay.status).toBe(202);
    expect(await replay.text()).toBe('plain');
  });
});
