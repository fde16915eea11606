import { expect, it } from 'vitest';
import { quoted } from './adapter-client.js';
import { expectNotReplayed, expectReplayOf, REPLAY_HEADER } from './adapter-expectations.js';
import { bodyJsonOf, header, headerValues } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';
import { describeByteDifference } from './bytes.js';
import { withSlowComplete } from './delayed-store.js';
import { referenceBytes } from './reference-handlers.js';

const ORDER = { item: 'book', qty: 2 };

/** BEHAVIOUR C: the first execution, and replays identical to it. */
export function defineReplayCases(ctx: AdapterSuiteContext): void {
  it(
    'C14 a new key runs the handler once and its response is unchanged',
    async () => {
      const client = ctx.client();
      const first = await client.send('POST', '/orders', {
        key: quoted(ctx.key()),
        json: ORDER,
        principal: 'ann',
      });
      expect(first.status).toBe(201);
      expect(bodyJsonOf(first)).toEqual({ id: 1, item: 'book', qty: 2, principal: 'ann' });
      expect(header(first, 'location')).toBe('/orders/1');
      expect(header(first, 'etag')).toBe('"1"');
      expect(header(first, 'x-request-id')).toMatch(/^[0-9a-f]{16}$/);
      expect(headerValues(first, 'set-cookie').join('\n')).toContain('order=1');
      expectNotReplayed(first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'C15 a retry gets the same status and a byte-identical body; the handler count stays 1',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      for (let i = 0; i < 3; i++)
        expectReplayOf(await client.send('POST', '/orders', { key, json: ORDER }), first);
      expect(await client.executions('POST /orders')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'C15 binary bodies (POST /uploads, all 256 byte values) are replayed byte for byte',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const bytes = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) & 0xff);
      const first = await client.send('POST', '/uploads', { key, bytes });
      expect(first.status).toBe(200);
      expect(describeByteDifference(first.body, bytes.slice().reverse())).toBeUndefined();
      expectReplayOf(await client.send('POST', '/uploads', { key, bytes }), first);
      expect(await client.executions('POST /uploads')).toBe(1);
    },
    ctx.timeout,
  );

  it(
    'C15 the response is sent only once it is stored: an immediate retry replays it, even with a slow store',
    async () => {
      await ctx.withApp(
        {},
        async (client) => {
          const key = quoted(ctx.key());
          const first = await client.send('POST', '/orders', { key, json: ORDER });
          expect(first.status).toBe(201);
          const retry = await client.send('POST', '/orders', { key, json: ORDER });
          expect(retry.status, 'a 409 here means the response was sent before commit() finished').toBe(201);
          expectReplayOf(retry, first);
        },
        (store) => withSlowComplete(store, ctx.delay(150)),
      );
    },
    ctx.timeout,
  );

  it(
    `C16 ${REPLAY_HEADER}: true is sent on replays only`,
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      expect(header(first, REPLAY_HEADER)).toBeUndefined();
      const replay = await client.send('POST', '/orders', { key, json: ORDER });
      expect(header(replay, REPLAY_HEADER)).toBe('true');
      expect(headerValues(replay, REPLAY_HEADER)).toHaveLength(1);
    },
    ctx.timeout,
  );

  it(
    'C17 a 201 stays 201 on replay',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      expect(first.status).toBe(201);
      expect((await client.send('POST', '/orders', { key, json: ORDER })).status).toBe(201);
    },
    ctx.timeout,
  );

  it(
    'C18 Location, ETag, Cache-Control and Content-Type are replayed',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      const replay = await client.send('POST', '/orders', { key, json: ORDER });
      for (const name of ['location', 'etag', 'cache-control', 'content-type']) {
        expect(header(first, name), `the first response has ${name}`).toBeDefined();
        expect(header(replay, name), `${name} is replayed`).toBe(header(first, name));
      }
      expect(header(first, 'content-type')).toMatch(/^application\/json\b/);
    },
    ctx.timeout,
  );

  it(
    'C20 Content-Length equals the body length on replay',
    async () => {
      const client = ctx.client();
      for (const path of ['/orders', '/orders?bytes=3000', '/orders?bytes=0']) {
        const key = quoted(ctx.key());
        const first = await client.send('POST', path, { key, json: ORDER });
        const replay = await client.send('POST', path, { key, json: ORDER });
        expectReplayOf(replay, first);
        expect(header(replay, 'content-length')).toBe(String(replay.body.length));
        const sent = header(first, 'content-length');
        if (sent !== undefined) expect(sent).toBe(String(first.body.length));
      }
    },
    ctx.timeout,
  );

  it(
    'C22 Set-Cookie is not replayed by default',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      expect(headerValues(first, 'set-cookie').length).toBeGreaterThan(0);
      const replay = await client.send('POST', '/orders', { key, json: ORDER });
      expect(headerValues(replay, 'set-cookie').join('\n')).not.toContain('order=');
    },
    ctx.timeout,
  );

  it(
    'C23 X-Request-Id is per exchange, never replayed',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const first = await client.send('POST', '/orders', { key, json: ORDER });
      const original = header(first, 'x-request-id');
      expect(original).toBeDefined();
      const replay = await client.send('POST', '/orders', { key, json: ORDER });
      expect(header(replay, 'x-request-id')).not.toBe(original);
    },
    ctx.timeout,
  );

  it(
    'C25 a body over maxBodyBytes reaches the first client in full, is not stored, and the key is released',
    async () => {
      await ctx.withApp({ maxBodyBytes: 1024 }, async (client) => {
        const key = quoted(ctx.key());
        const first = await client.send('POST', '/orders?bytes=4096', { key, json: ORDER });
        expect(first.status).toBe(201);
        expect(describeByteDifference(first.body, referenceBytes(4096, 1))).toBeUndefined();
        const second = await client.send('POST', '/orders?bytes=4096', { key, json: ORDER });
        expect(second.status).toBe(201);
        expectNotReplayed(second);
        expect(describeByteDifference(second.body, referenceBytes(4096, 2))).toBeUndefined();
        expect(await client.executions('POST /orders')).toBe(2);
        const small = quoted(ctx.key());
        const kept = await client.send('POST', '/orders?bytes=1024', { key: small, json: ORDER });
        expectReplayOf(await client.send('POST', '/orders?bytes=1024', { key: small, json: ORDER }), kept);
      });
    },
    ctx.timeout,
  );

  it(
    'C25 a streamed body reaches the client in full, is not stored, and the key is released (POST /stream)',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const expected = (execution: number) => {
        const all = new Uint8Array(3 * 512);
        for (let chunk = 0; chunk < 3; chunk++) all.set(referenceBytes(512, execution + chunk), chunk * 512);
        return all;
      };
      const first = await client.send('POST', '/stream?bytes=512', { key, json: ORDER });
      expect(first.status).toBe(200);
      expect(describeByteDifference(first.body, expected(1))).toBeUndefined();
      const second = await client.send('POST', '/stream?bytes=512', { key, json: ORDER });
      expect(second.status).toBe(200);
      expectNotReplayed(second);
      expect(describeByteDifference(second.body, expected(2))).toBeUndefined();
      expect(await client.executions('POST /stream')).toBe(2);
    },
    ctx.timeout,
  );
}
