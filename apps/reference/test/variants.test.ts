/**
 * The compiled reference app, every framework variant, as a real process over real HTTP (memory store): binary
 * bodies and a stream, then a first POST /orders, its replay, a mismatch, a key-less POST /payments, the
 * counters, and SIGTERM -> exit 0. (apps/demo's e2e test adds the Redis and PostgreSQL stores.)
 */

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from '../src/args.js';
import { type ReferenceProcess, startReference } from '../src/process.js';

describe.each(FRAMEWORKS)('the %s variant', (framework) => {
  let app: ReferenceProcess;
  beforeAll(async () => {
    app = await startReference(['--framework', framework, '--store', 'memory', '--port', '0']);
  });
  afterAll(async () => {
    if (app && app.child.exitCode === null) await app.stop('SIGKILL');
  });

  const order = (key: string | undefined, body: unknown, path = '/orders') =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer ann',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: JSON.stringify(body),
    });

  it('binary bodies replay byte for byte; a stream arrives whole and is not stored', async () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff);
    const upload = () =>
      fetch(`${app.url}/uploads`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'idempotency-key': '"up-1"' },
        body: bytes,
      });
    const first = await upload();
    expect(first.status).toBe(200);
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(bytes.slice().reverse());
    const again = await upload();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(bytes.slice().reverse());

    for (let i = 0; i < 2; i++) {
      const streamed = await fetch(`${app.url}/stream?bytes=1000&chunks=4`, {
        method: 'POST',
        headers: { 'idempotency-key': '"st-1"' },
      });
      expect(streamed.status).toBe(200);
      expect(streamed.headers.get('idempotent-replayed')).toBeNull();
      expect((await streamed.arrayBuffer()).byteLength).toBe(4000);
    }
    const stats = await fetch(`${app.url}/stats`);
    expect(await stats.json()).toMatchObject({ executions: { 'POST /uploads': 1, 'POST /stream': 2 } });
  });

  it('first POST 201, retry replays the same bytes, another body 422, no key on /payments 400, stats, SIGTERM exits 0', async () => {
    const first = await order('"k-1"', { item: 'book', qty: 1 });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe('/orders/1');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    expect(JSON.parse(new TextDecoder().decode(firstBytes))).toEqual({
      id: 1,
      item: 'book',
      qty: 1,
      principal: 'ann',
    });

    const retry = await order('"k-1"', { qty: 1, item: 'book' });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe('/orders/1');
    expect(new Uint8Array(await retry.arrayBuffer())).toEqual(firstBytes);

    const other = await order('"k-1"', { item: 'pen', qty: 3 });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await other.arrayBuffer();

    const payment = await order(undefined, { item: 'book', qty: 1 }, '/payments');
    expect(payment.status).toBe(400);
    expect(payment.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await payment.json()).toMatchObject({ status: 400 });

    const stats = await fetch(`${app.url}/stats`);
    expect(await stats.json()).toMatchObject({
      executions: { 'POST /orders': 1, 'POST /payments': 0 },
    });

    expect(await app.stop('SIGTERM')).toBe(0);
  });
});

describe.each(FRAMEWORKS)('the %s variant with --store none (the benchmarks baseline)', (framework) => {
  it('serves the same routes with no idempo at all: a retry runs again, no key is required', async () => {
    const app = await startReference(['--framework', framework, '--store', 'none', '--port', '0']);
    try {
      const send = (path: string) =>
        fetch(`${app.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': '"same"' },
          body: JSON.stringify({ item: 'book', qty: 1 }),
        });
      const first = await send('/orders');
      const second = await send('/orders');
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(await first.json()).toMatchObject({ id: 1, item: 'book' });
      expect(await second.json()).toMatchObject({ id: 2, item: 'book' });
      expect(second.headers.get('idempotent-replayed')).toBeNull();
      const payment = await fetch(`${app.url}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"item":"pen","qty":2}',
      });
      expect(payment.status).toBe(201);
      await payment.arrayBuffer();
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
  });
});

describe.each(FRAMEWORKS)('the %s variant on SIGTERM', (framework) => {
  it('exits 0 within its grace period though a client holds a connection it never sends on', async () => {
    const app = await startReference(['--framework', framework, '--store', 'memory', '--port', '0']);
    const { hostname, port } = new URL(app.url);
    const socket = connect({ host: hostname, port: Number(port) });
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const started = performance.now();
      const code = await app.stop('SIGTERM');
      expect(code, `signal ${app.child.signalCode}; stderr:\n${app.stderr()}`).toBe(0);
      // 3 s of grace, then the store's close and the exit; a server waiting for the headers timeout takes 60 s.
      expect(performance.now() - started).toBeLessThan(15_000);
    } finally {
      socket.destroy();
      if (app.child.exitCode === null) await app.stop('SIGKILL');
    }
  }, 30_000);
});
