// The handler a real server runs (Bun.serve, Deno.serve, a Workers fetch), and the client that drives it over
// HTTP: first run, replay byte for byte, 409 on concurrent duplicates, 422, and a client that disconnects
// mid-handler and retries (409 while it still runs, then the replay of the answer nobody heard).
import { MemoryStore } from '@idempo/core';
import { withIdempotency } from '../../dist/index.js';

/** A long body that comes over time (20 ms a chunk, about 4 s): a client that goes away cancels it. */
function slowStream() {
  let sent = 0;
  streams.made++;
  return new Response(
    new ReadableStream({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (sent++ > 200) return controller.close();
        controller.enqueue(new Uint8Array(1000));
      },
      cancel() {
        streams.cancelled++;
      },
    }),
  );
}

const streams = { made: 0, cancelled: 0 };

export function servedHandler() {
  let n = 0;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  return withIdempotency(
    async (request, ...rest) => {
      const url = new URL(request.url);
      if (url.pathname === '/stream') return slowStream();
      const body = await request.json();
      const delay = Number(url.searchParams.get('delay') ?? 0);
      if (delay > 0) await sleep(delay);
      const id = ++n;
      const headers = new Headers({ location: `/orders/${id}` });
      headers.append('set-cookie', `a=${id}; Path=/`);
      headers.append('set-cookie', `b=${id}; Path=/`);
      return Response.json({ id, ...body, args: rest.length }, { status: 201, headers });
    },
    { store: new MemoryStore(), replaySetCookie: true, principal: (req) => req.header('x-user') },
  );
}

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Drives `base` with `fetch`; `disconnect` false where the client cannot abort mid-request. */
export async function driveServed(base, fetch, { disconnect = true } = {}) {
  const send = (path, body = '{"item":"book"}', key = '"s1"', signal) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-user': 'ann' },
      body,
      signal,
    });
  const seen = async (res) => ({
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    location: res.headers.get('location'),
    cookies: res.headers.getSetCookie(),
    body: hex(new Uint8Array(await res.arrayBuffer())),
  });
  const first = await seen(await send('/orders'));
  const replay = await seen(await send('/orders'));
  const concurrent = (
    await Promise.all(Array.from({ length: 5 }, () => send('/orders?delay=300', undefined, '"s2"')))
  )
    .map((res) => {
      res.body?.cancel();
      return res.status;
    })
    .sort();
  const mismatch = (await send('/orders', '{"item":"pen"}')).status;
  let disconnected;
  if (disconnect) {
    const abort = new AbortController();
    const gone = send('/orders?delay=600', undefined, '"s3"', abort.signal).then(
      () => 'answered',
      () => 'aborted',
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    abort.abort();
    const whileRunning = (await send('/orders?delay=600', undefined, '"s3"')).status;
    await new Promise((resolve) => setTimeout(resolve, 900));
    const after = await seen(await send('/orders?delay=600', undefined, '"s3"'));
    disconnected = {
      client: await gone,
      whileRunning,
      after: { status: after.status, replayed: after.replayed },
    };
    // A client that goes away while an answer is forwarded: the server cancels it, the key is released, the
    // retry runs again.
    const reading = new AbortController();
    const res = await send('/stream', undefined, '"s4"', reading.signal);
    const reader = res.body.getReader();
    await reader.read();
    await reader.read();
    reading.abort();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const retry = await send('/stream', undefined, '"s4"');
    await retry.body?.cancel();
    disconnected.midBody = {
      retry: retry.status,
      replayed: retry.headers.get('idempotent-replayed'),
      ...streams,
    };
  }
  return {
    first,
    replayIdentical: replay.body === first.body && replay.status === first.status,
    replay: {
      status: replay.status,
      replayed: replay.replayed,
      location: replay.location,
      cookies: replay.cookies,
    },
    concurrent,
    mismatch,
    disconnected,
  };
}
