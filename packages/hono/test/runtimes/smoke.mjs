// Loaded by test/runtimes.test.ts on Node, Bun, Deno and workerd: the built @idempo/hono (dist) with the built
// core, Hono from node_modules and the reference routes, through app.request(). Returns what a client saw.
import { MemoryStore } from '@idempo/core';
import { createReferenceService, principalFromAuthorization } from '@idempo/testing/reference';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
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
      const streamed = answer.body instanceof ReadableStream;
      // POST /stream is declared a stream (as streamText does), unless ?declared=0: then it is stored.
      const declared = streamed && c.req.query('declared') !== '0';
      const headers = declared ? { ...answer.headers, 'transfer-encoding': 'chunked' } : answer.headers;
      return c.body(answer.body === '' ? null : answer.body, answer.status, headers);
    };
    if (route.idempotency === undefined) app.on(route.method, route.pattern, handler);
    else app.on(route.method, route.pattern, idem.route(route.idempotency), handler);
  }
  // compress() after idempo: the first answer compressed, the record decoded, replays identity.
  const zipped = new Hono();
  let zips = 0;
  zipped.use('*', idempotency({ store: new MemoryStore() }));
  zipped.use('*', compress());
  zipped.post('/zip', (c) => c.json({ n: ++zips, text: 'z'.repeat(4096) }));

  // c.req.raw read every way after idempo read the body (I5): the same bytes each time, on every runtime.
  const rawApp = new Hono();
  rawApp.use('*', idempotency({ store: new MemoryStore() }));
  rawApp.post('/raw', async (c) => {
    const raw = c.req.raw;
    const stream = raw.body;
    const before = raw.bodyUsed;
    const fromStream = await new Response(stream).text();
    const blob = await raw.blob();
    return c.json({
      texts: [await raw.text(), await raw.text(), fromStream, await raw.clone().text()],
      json: await raw.json(),
      sizes: [(await raw.arrayBuffer()).byteLength, (await raw.bytes()).length, blob.size],
      // Bun adds ;charset=utf-8 to a JSON blob's type (its own Response.blob(), as for any Request)
      blobType: blob.type.split(';')[0],
      used: [before, raw.bodyUsed, stream === raw.body],
      request: [raw instanceof Request, new URL(raw.url).pathname, raw.method, raw.headers.get('x-h')],
    });
  });

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

  // A body that comes over time is stored once the client has read it to its end.
  const storedStream = [
    await seen(await send('/stream?bytes=100&declared=0', { key: '"k5"' })),
    await seen(await send('/stream?bytes=100&declared=0', { key: '"k5"' })),
  ];
  const noRoute = [
    await send('/no-such-route', { key: '"k6"' }),
    await send('/no-such-route', { key: '"k6"' }),
  ];
  const zip = (headers) =>
    zipped.request('/zip', { method: 'POST', headers: { 'idempotency-key': '"z"', ...headers } });
  const zipFirst = await zip({ 'accept-encoding': 'gzip' });
  const zipFirstEncoding = zipFirst.headers.get('content-encoding');
  await zipFirst.arrayBuffer();
  const zipReplay = await zip({});
  const zipReplayText = JSON.parse(await zipReplay.clone().text());
  let pulled = 0;
  const endless = new ReadableStream({
    pull(controller) {
      pulled += 65536;
      controller.enqueue(new Uint8Array(65536));
    },
  });
  const tooLarge = await app.request('/uploads', {
    method: 'POST',
    headers: { 'idempotency-key': '"k7"', 'content-type': 'application/octet-stream' },
    body: endless,
    duplex: 'half',
  });

  const rawRead = await rawApp.request('/raw', {
    method: 'POST',
    headers: { 'idempotency-key': '"r"', 'content-type': 'application/json', 'x-h': 'v' },
    body: '{"a":1}',
  });

  return {
    runtime,
    raw: await rawRead.json(),
    first: { ...(await seen(first)), text: firstText },
    replay: { ...(await seen(replay)), text: replayText },
    concurrent: (await Promise.all(concurrent.map(seen))).map((r) => r.status).sort(),
    mismatch: await seen(mismatch),
    invalid: await seen(invalid),
    missing: await seen(missing),
    thrown: await Promise.all(thrown.map(text)),
    streamed: await Promise.all(streamed.map(seen)),
    storedStream,
    noRoute: await Promise.all(noRoute.map(seen)),
    compressed: {
      first: zipFirstEncoding,
      replay: {
        ...(await seen(zipReplay)),
        n: zipReplayText.n,
        encoding: zipReplay.headers.get('content-encoding'),
      },
      executions: zips,
    },
    tooLarge: { ...(await seen(tooLarge)), boundedRead: pulled <= 2 * 1024 * 1024 },
    executions: service.executions,
  };
}
