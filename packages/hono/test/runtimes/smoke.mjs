// Loaded by test/runtimes.test.ts on Node, Bun, Deno and workerd: the built @idempo/hono (dist) with the built
// core, Hono from node_modules and the reference routes, through app.request(). Returns what a client saw.
import { MemoryStore } from '@idempo/core';
import { createReferenceService, principalFromAuthorization } from '@idempo/testing/reference';
import { Hono } from 'hono';
import { idempotency } from '../../dist/index.js';

export async function smoke() {
  const service = createReferenceService();
  const idem = idempotency({
    store: new MemoryStore(),
    principal: (request) => principalFromAuthorization(request.header('authorization')),
  });
  const app = new Hono();
  app.onError((_error, c) => c.text('internal error', 500));
  app.use('*', idem);
  for (const route of service.routes) {
    const handler = async (c) => {
      const mark = c.req.url.indexOf('?');
      const json = (c.req.header('content-type') ?? '').startsWith('application/json');
      const body = c.req.method === 'GET' ? undefined : json ? await c.req.json() : await c.req.arrayBuffer();
      const answer = await route.handle({
        params: c.req.param(),
        query: mark < 0 ? '' : c.req.url.slice(mark + 1),
        body: body instanceof ArrayBuffer ? new Uint8Array(body) : body,
        principal: principalFromAuthorization(c.req.header('authorization')),
      });
      return c.body(answer.body === '' ? null : answer.body, answer.status, answer.headers);
    };
    if (route.idempotency === undefined) app.on(route.method, route.pattern, handler);
    else app.on(route.method, route.pattern, idem.route(route.idempotency), handler);
  }

  const order = (qty) => JSON.stringify({ item: 'book', qty });
  const send = (path, { key, body = order(1), principal } = {}) => {
    const headers = { 'content-type': 'application/json' };
    if (key !== undefined) headers['idempotency-key'] = key;
    if (principal !== undefined) headers.authorization = `Bearer ${principal}`;
    return app.request(path, { method: 'POST', headers, body });
  };
  const seen = async (res) => ({
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    type: res.headers.get('content-type'),
    location: res.headers.get('location'),
    body: [...new Uint8Array(await res.arrayBuffer())].length,
  });
  const text = async (res) => ({ status: res.status, text: await res.text() });

  const runtime = globalThis.Bun ? 'bun' : globalThis.Deno ? 'deno' : 'node';
  const first = await send('/orders', { key: '"k1"', body: order(2), principal: 'ann' });
  const firstText = await first.clone().text();
  const replay = await send('/orders', { key: '"k1"', body: order(2), principal: 'ann' });
  const replayText = await replay.clone().text();
  const concurrent = await Promise.all(
    Array.from({ length: 5 }, () => send('/orders?delay=300', { key: '"k2"' })),
  );
  const mismatch = await send('/orders', { key: '"k1"', body: order(3), principal: 'ann' });
  const invalid = await send('/orders', { key: '"unclosed' });
  const missing = await send('/payments');
  const thrown = [
    await send('/orders?throw=1', { key: '"k3"' }),
    await send('/orders?throw=1', { key: '"k3"' }),
  ];
  const streamed = [
    await send('/stream?bytes=100', { key: '"k4"' }),
    await send('/stream?bytes=100', { key: '"k4"' }),
  ];

  return {
    runtime,
    first: { ...(await seen(first)), text: firstText },
    replay: { ...(await seen(replay)), text: replayText },
    concurrent: (await Promise.all(concurrent.map(seen))).map((r) => r.status).sort(),
    mismatch: await seen(mismatch),
    invalid: await seen(invalid),
    missing: await seen(missing),
    thrown: await Promise.all(thrown.map(text)),
    streamed: await Promise.all(streamed.map(seen)),
    executions: service.executions,
  };
}
