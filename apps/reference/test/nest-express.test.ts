/**
 * The compiled reference app, Nest on Express, as a real process over real HTTP: binary bodies and a stream, a
 * first POST /orders and its byte-identical replay, a mismatch, a key-less POST /payments, the counters, SIGTERM.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ReferenceProcess, startReference } from './support/reference-process.js';

let app: ReferenceProcess;
beforeAll(async () => {
  app = await startReference(['--framework', 'nest-express', '--store', 'memory', '--port', '0']);
});
afterAll(() => {
  if (app && app.child.exitCode === null) app.child.kill('SIGKILL');
});

const post = (path: string, key: string | undefined, body: unknown) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer bea',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
  });

it('nest-express: uploads replay byte for byte; a stream arrives whole and runs again', async () => {
  const bytes = Uint8Array.from({ length: 2048 }, (_, i) => (i * 13) & 0xff);
  const upload = () =>
    fetch(`${app.url}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'idempotency-key': '"nest-up"' },
      body: bytes,
    });
  const first = await upload();
  expect(first.status).toBe(200);
  expect(new Uint8Array(await first.arrayBuffer())).toEqual(bytes.slice().reverse());
  const replay = await upload();
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect(new Uint8Array(await replay.arrayBuffer())).toEqual(bytes.slice().reverse());
  for (let i = 0; i < 2; i++) {
    const streamed = await fetch(`${app.url}/stream?bytes=700&chunks=3`, {
      method: 'POST',
      headers: { 'idempotency-key': '"nest-stream"' },
    });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('idempotent-replayed')).toBeNull();
    expect((await streamed.arrayBuffer()).byteLength).toBe(2100);
  }
  const stats = await fetch(`${app.url}/stats`);
  expect(await stats.json()).toMatchObject({ executions: { 'POST /uploads': 1, 'POST /stream': 2 } });
});

it('nest-express: 201, byte-identical replay, 422 for another body, 400 problem+json without a key, stats, SIGTERM exits 0', async () => {
  const first = await post('/orders', '"nest-1"', { item: 'lamp', qty: 2 });
  expect(first.status).toBe(201);
  expect(first.headers.get('idempotent-replayed')).toBeNull();
  const bytes = new Uint8Array(await first.arrayBuffer());
  expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({
    id: 1,
    item: 'lamp',
    qty: 2,
    principal: 'bea',
  });

  const retry = await post('/orders', '"nest-1"', { qty: 2, item: 'lamp' });
  expect(retry.status).toBe(201);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  expect(retry.headers.get('location')).toBe(first.headers.get('location'));
  expect(new Uint8Array(await retry.arrayBuffer())).toEqual(bytes);

  const mismatch = await post('/orders', '"nest-1"', { item: 'desk', qty: 1 });
  expect(mismatch.status).toBe(422);
  expect(mismatch.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  await mismatch.arrayBuffer();

  const payment = await post('/payments', undefined, { item: 'lamp', qty: 2 });
  expect(payment.status).toBe(400);
  expect(payment.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await payment.json()).toMatchObject({ status: 400 });

  const stats = await fetch(`${app.url}/stats`);
  expect(await stats.json()).toMatchObject({ executions: { 'POST /orders': 1, 'POST /payments': 0 } });

  expect(await app.stop('SIGTERM')).toBe(0);
});
