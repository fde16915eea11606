/** Set-Cookie, 204, 304 and HEAD through withIdempotency (docs/behaviour.md C22, C24, C19, C21). */
import { describe, expect, it } from 'vitest';
import { withIdempotency } from '../src/index.js';
import { countingStore, newKey, request } from './support/client.js';

const json = { item: 'book' };

function cookieHandler(options: { replaySetCookie?: boolean } = {}) {
  let runs = 0;
  const handler = withIdempotency(
    async (req: Request) => {
      if (req.method === 'HEAD') return new Response(null, { headers: { 'x-head': String(++runs) } });
      runs++;
      const headers = new Headers({ 'content-type': 'application/json', 'x-request-id': `r${runs}` });
      headers.append('set-cookie', `session=${runs}; Path=/; HttpOnly`);
      headers.append('set-cookie', `theme=dark; Path=/`);
      headers.append('set-cookie', `csrf=${runs}; Path=/; Secure`);
      return new Response(JSON.stringify({ runs }), { status: 201, headers });
    },
    { store: countingStore(), ...options },
  );
  return { handler, runs: () => runs };
}

describe('headers and statuses', () => {
  it('C22 the first answer carries every Set-Cookie line; a replay carries none by default', async () => {
    const { handler } = cookieHandler();
    const key = newKey();
    const first = await handler(request('/c', { key, json }));
    expect(first.headers.getSetCookie()).toEqual([
      'session=1; Path=/; HttpOnly',
      'theme=dark; Path=/',
      'csrf=1; Path=/; Secure',
    ]);
    const second = await handler(request('/c', { key, json }));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.getSetCookie()).toEqual([]);
  });

  it('C22 C23 with replaySetCookie each cookie is its own field line on the replay; request ids are not replayed', async () => {
    const { handler } = cookieHandler({ replaySetCookie: true });
    const key = newKey();
    await (await handler(request('/c', { key, json }))).arrayBuffer();
    const second = await handler(request('/c', { key, json }));
    expect(second.headers.getSetCookie()).toEqual([
      'session=1; Path=/; HttpOnly',
      'theme=dark; Path=/',
      'csrf=1; Path=/; Secure',
    ]);
    expect(second.headers.get('x-request-id')).toBeNull();
    expect(await second.json()).toEqual({ runs: 1 });
  });

  it('C24 HEAD with a key stored for a POST passes through to the handler and never gets the POST body', async () => {
    const { handler, runs } = cookieHandler();
    const key = newKey();
    await handler(request('/c', { key, json }));
    const head = await handler(request('/c', { key, method: 'HEAD' }));
    expect(head.headers.get('idempotent-replayed')).toBeNull();
    expect(head.headers.get('x-head')).toBe('2');
    expect(runs()).toBe(2);
  });

  it('C14 C15 a 204 and a 304 are stored without a body and replayed as such', async () => {
    for (const status of [204, 304]) {
      let runs = 0;
      const handler = withIdempotency(
        async () => {
          runs++;
          return new Response(null, { status, headers: { etag: '"e1"' } });
        },
        { store: countingStore() },
      );
      const key = newKey();
      const first = await handler(request('/n', { key, json }));
      expect(first.status).toBe(status);
      const second = await handler(request('/n', { key, json }));
      expect(second.status).toBe(status);
      expect(second.body).toBeNull();
      expect(second.headers.get('etag')).toBe('"e1"');
      expect(second.headers.get('content-length')).toBeNull();
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(runs).toBe(1);
    }
  });

  it('C19 C21 hop-by-hop headers and Date are not stored: the replay has a fresh Date or none', async () => {
    const handler = withIdempotency(
      async () =>
        new Response('ok', {
          headers: {
            connection: 'x-private',
            'x-private': 'secret',
            'keep-alive': 'timeout=5',
            date: 'Mon, 01 Jan 2001 00:00:00 GMT',
          },
        }),
      { store: countingStore() },
    );
    const key = newKey();
    await handler(request('/h', { key, json }));
    const second = await handler(request('/h', { key, json }));
    expect(second.headers.get('x-private')).toBeNull();
    expect(second.headers.get('keep-alive')).toBeNull();
    expect(second.headers.get('date')).not.toBe('Mon, 01 Jan 2001 00:00:00 GMT');
  });
});
