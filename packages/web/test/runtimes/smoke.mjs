// Loaded by test/runtimes.test.ts on Node, Bun, Deno and workerd: the built @idempo/web (dist) with the built
// core, handlers called directly with fetch Requests, as each runtime calls them. Returns what a client saw.
import { MemoryStore } from '@idempo/core';
import { withIdempotency } from '../../dist/index.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const encoder = new TextEncoder();

/** A store that is down: every call fails. */
const downStore = {
  reserve: async () => {
    throw new Error('store down');
  },
  complete: async () => false,
  release: async () => false,
  extend: async () => false,
};

/** `n` chunks of `size` bytes, `gap` ms apart; `pulled` counts them. */
function slowStream(n, size, gap) {
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (sent === n) return controller.close();
      if (sent > 0 && gap > 0) await sleep(gap);
      controller.enqueue(new Uint8Array(size).fill(sent + 1));
      sent++;
    },
  });
}

export async function smoke() {
  const runs = {};
  const count = (name) => {
    runs[name] = (runs[name] ?? 0) + 1;
    return runs[name];
  };
  const store = new MemoryStore();
  const options = { store, principal: (req) => req.header('x-user') };

  const orders = withIdempotency(
    async (request, ...rest) => {
      const url = new URL(request.url);
      if (request.method === 'HEAD')
        return new Response(null, { headers: { 'x-head': String(count('head')) } });
      const body = await request.json();
      const delay = Number(url.searchParams.get('delay') ?? 0);
      if (delay > 0) await sleep(delay);
      if (url.searchParams.get('throw') === '1') throw new Error('boom');
      const id = count('orders');
      const status = Number(url.searchParams.get('status') ?? 201);
      const headers = new Headers({ location: `/orders/${id}`, etag: `"v${id}"` });
      headers.append('set-cookie', `a=${id}; Path=/`);
      headers.append('set-cookie', `b=${id}; Path=/`);
      if (status === 204) return new Response(null, { status, headers });
      return Response.json(
        { id, ...body, params: rest[0]?.params ?? null, args: rest.length },
        { status, headers },
      );
    },
    { ...options, replaySetCookie: true },
  );
  const payments = withIdempotency(async () => Response.json({ paid: count('payments') }), {
    ...options,
    required: true,
  });
  const streams = withIdempotency(async (request) => {
    const url = new URL(request.url);
    count('stream');
    const declared = url.searchParams.get('declared') !== '0';
    const headers = declared
      ? { 'content-type': 'text/event-stream' }
      : { 'content-type': 'application/octet-stream' };
    return new Response(slowStream(3, 100, 5), { headers });
  }, options);
  const huge = withIdempotency(async () => {
    count('huge');
    return new Response(new Uint8Array(2 * 1024 * 1024).fill(7), {
      headers: { 'content-type': 'application/octet-stream' },
    });
  }, options);
  // The handler reads request.body as a stream itself.
  const uploads = withIdempotency(async (request) => {
    count('uploads');
    let total = 0;
    let sum = 0;
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      for (const b of value) sum = (sum + b) % 65521;
    }
    return Response.json({ total, sum });
  }, options);
  const zipped = withIdempotency(async () => {
    count('zip');
    const plain = new Response(JSON.stringify({ z: 'z'.repeat(4096) })).body;
    return new Response(plain.pipeThrough(new CompressionStream('gzip')), {
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
  }, options);
  const down = withIdempotency(async () => new Response(`ran ${count('down')}`), { store: downStore });
  const badPrincipal = withIdempotency(async () => new Response(`ran ${count('bad')}`), {
    store,
    principal: () => ({ id: 'ann' }),
  });
  const inner = withIdempotency(
    async () => Response.json({ nested: count('nested') }, { status: 201 }),
    options,
  );
  const nested = withIdempotency((request, ...rest) => inner(request, ...rest), options);

  const send = (
    handler,
    path,
    {
      key,
      body = '{"item":"book"}',
      user = 'ann',
      method = 'POST',
      type = 'application/json',
      rest = [],
    } = {},
  ) => {
    const headers = { 'content-type': type };
    if (key !== undefined) headers['idempotency-key'] = key;
    if (user !== undefined) headers['x-user'] = user;
    const init = { method, headers };
    if (method !== 'HEAD' && method !== 'GET') {
      init.body = body;
      if (body instanceof ReadableStream) init.duplex = 'half';
    }
    return handler(new Request(`http://localhost${path}`, init), ...rest);
  };
  const seen = async (res) => ({
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    // Bun's Response.json adds ;charset=utf-8.
    type: res.headers.get('content-type')?.split(';')[0] ?? null,
    body: new Uint8Array(await res.arrayBuffer()).length,
  });
  const text = async (res) => ({
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    text: await res.text(),
  });
  const rejected = (promise) =>
    promise.then(
      () => 'answered',
      (error) => error.message,
    );

  const runtime = globalThis.Bun
    ? 'bun'
    : globalThis.Deno
      ? 'deno'
      : globalThis.navigator?.userAgent === 'Cloudflare-Workers'
        ? 'workerd'
        : 'node';
  const params = { params: { id: '7' } };
  const first = await send(orders, '/orders', { key: '"k1"', rest: [params] });
  const firstBytes = new Uint8Array(await first.clone().arrayBuffer());
  const replay = await send(orders, '/orders', { key: '"k1"', rest: [params] });
  const replayBytes = new Uint8Array(await replay.clone().arrayBuffer());
  const concurrent = await Promise.all(
    Array.from({ length: 5 }, () => send(orders, '/orders?delay=300', { key: '"k2"' })),
  );
  const mismatch = await send(orders, '/orders', { key: '"k1"', body: '{"item":"pen"}', rest: [params] });
  const otherUser = await send(orders, '/orders', { key: '"k1"', user: 'bob', rest: [params] });
  const invalid = await send(orders, '/orders', { key: '"unclosed' });
  const missing = await send(payments, '/payments');
  const thrown = [
    await rejected(send(orders, '/orders?throw=1', { key: '"k3"' })),
    await rejected(send(orders, '/orders?throw=1', { key: '"k3"' })),
  ];
  const streamed = [
    await seen(await send(streams, '/stream', { key: '"k4"' })),
    await seen(await send(streams, '/stream', { key: '"k4"' })),
  ];
  const storedStream = [
    await seen(await send(streams, '/stream?declared=0', { key: '"k5"' })),
    await seen(await send(streams, '/stream?declared=0', { key: '"k5"' })),
  ];
  const hugeResponse = [
    await seen(await send(huge, '/huge', { key: '"k6"' })),
    await seen(await send(huge, '/huge', { key: '"k6"' })),
  ];
  let pulled = 0;
  const endless = new ReadableStream({
    pull(controller) {
      pulled += 65536;
      controller.enqueue(new Uint8Array(65536));
    },
  });
  const tooLarge = await send(uploads, '/uploads', {
    key: '"k7"',
    body: endless,
    type: 'application/octet-stream',
  });
  const upload = () =>
    send(uploads, '/uploads', {
      key: '"k8"',
      body: slowStream(4, 1000, 2),
      type: 'application/octet-stream',
    });
  const streamRead = [await text(await upload()), await text(await upload())];
  const noContent = [
    await seen(await send(orders, '/orders?status=204', { key: '"k9"' })),
    await seen(await send(orders, '/orders?status=204', { key: '"k9"' })),
  ];
  const head = await seen(await send(orders, '/orders', { key: '"k1"', method: 'HEAD' }));
  const zipFirst = await send(zipped, '/zip', { key: '"k10"' });
  const zip = {
    first: zipFirst.headers.get('content-encoding'),
    firstBody: (await zipFirst.arrayBuffer()).byteLength < 4096,
    replay: await text(await send(zipped, '/zip', { key: '"k10"' })).then((r) => ({
      status: r.status,
      replayed: r.replayed,
      length: r.text.length,
    })),
  };
  const storeDown = await seen(await send(down, '/down', { key: '"k11"' }));
  const principal = await seen(await send(badPrincipal, '/bad', { key: '"k12"' }));
  const nestedRuns = [
    await text(await send(nested, '/nested', { key: '"k13"' })),
    await text(await send(nested, '/nested', { key: '"k13"' })),
  ];

  return {
    runtime,
    first: {
      ...(await seen(first)),
      location: first.headers.get('location'),
      cookies: first.headers.getSetCookie(),
    },
    replay: {
      ...(await seen(replay)),
      location: replay.headers.get('location'),
      cookies: replay.headers.getSetCookie(),
    },
    replayIdentical:
      firstBytes.length > 0 &&
      firstBytes.every((b, i) => b === replayBytes[i]) &&
      firstBytes.length === replayBytes.length,
    firstText: new TextDecoder().decode(firstBytes),
    concurrent: (await Promise.all(concurrent.map(seen))).map((r) => r.status).sort(),
    mismatch: await seen(mismatch),
    otherUser: await seen(otherUser),
    invalid: await seen(invalid),
    missing: await seen(missing),
    thrown,
    streamed,
    storedStream,
    hugeResponse,
    tooLarge: { ...(await seen(tooLarge)), boundedRead: pulled <= 2 * 1024 * 1024 },
    streamRead,
    noContent,
    head,
    zip,
    storeDown,
    principal,
    nested: nestedRuns,
    runs,
    encoderWorks: encoder.encode('x').length === 1,
  };
}
