/**
 * A handler that compresses its own answer: the client that asked gets the compressed bytes, the record is
 * the decoded body, and every replay is the identity body whatever the retry's Accept-Encoding
 * (docs/behaviour.md I13).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { withIdempotency } from '../src/index.js';
import { countingStore, newKey, request } from './support/client.js';

const json = { item: 'book' };
const text = JSON.stringify({ z: 'z'.repeat(10_000) });

function compressing(encoding: string, body: () => BodyInit, maxBodyBytes?: number) {
  const store = countingStore();
  let runs = 0;
  const handler = withIdempotency(
    async () => {
      runs++;
      return new Response(body(), {
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
    },
    maxBodyBytes === undefined ? { store } : { store, maxBodyBytes },
  );
  return { store, handler, runs: () => runs };
}

describe('compressed answers', () => {
  for (const encoding of ['gzip', 'deflate']) {
    it(`I13 a ${encoding} answer reaches the client compressed and is replayed as the identity body`, async () => {
      const { handler, runs } = compressing(encoding, () =>
        (new Response(text).body as ReadableStream<Uint8Array>).pipeThrough(
          new CompressionStream(encoding as CompressionFormat) as unknown as ReadableWritablePair<
            Uint8Array,
            Uint8Array
          >,
        ),
      );
      const key = newKey();
      const first = await handler(request('/z', { key, json }));
      expect(first.headers.get('content-encoding')).toBe(encoding);
      expect((await first.arrayBuffer()).byteLength).toBeLessThan(1000);
      const replay = await handler(request('/z', { key, json }));
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.headers.get('content-encoding')).toBeNull();
      expect(await replay.text()).toBe(text);
      expect(runs()).toBe(1);
    });
  }

  it('I13 bytes that do not decode are stored and replayed as sent, with their Content-Encoding', async () => {
    const junk = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const { handler } = compressing('gzip', () => junk);
    const key = newKey();
    await handler(request('/z', { key, json }));
    const replay = await handler(request('/z', { key, json }));
    expect(replay.headers.get('content-encoding')).toBe('gzip');
    expect(new Uint8Array(await replay.arrayBuffer())).toEqual(junk);
  });

  it('C25 I13 a body whose decoded size passes maxBodyBytes is sent but not stored; the key is released', async () => {
    const zipped = gzipSync(Buffer.alloc(200_000, 'a'));
    const { handler, store, runs } = compressing('gzip', () => new Uint8Array(zipped), 50_000);
    const key = newKey();
    const first = await handler(request('/z', { key, json }));
    expect((await first.arrayBuffer()).byteLength).toBe(zipped.length);
    const second = await handler(request('/z', { key, json }));
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    await second.arrayBuffer();
    expect(runs()).toBe(2);
    expect(store.completes).toBe(0);
  });

  it('I13 another coding (br) is stored as sent', async () => {
    const bytes = new Uint8Array([9, 9, 9]);
    const { handler } = compressing('br', () => bytes);
    const key = newKey();
    await handler(request('/z', { key, json }));
    const replay = await handler(request('/z', { key, json }));
    expect(replay.headers.get('content-encoding')).toBe('br');
    expect(new Uint8Array(await replay.arrayBuffer())).toEqual(bytes);
  });
});
