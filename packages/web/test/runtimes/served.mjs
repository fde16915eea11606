// The handler a real server runs (Bun.serve, Deno.serve, a Workers fetch), and the client that drives it over
// HTTP: first run, replay byte for byte, 409 on concurrent duplicates, 422, and a client that disconnects
// mid-handler and retries (409 while it still runs, then the replay of the answer nobody heard).
import { MemoryStore } from '@idempo/core';
import { withIdempotency } from '../../dist/index.js';

export function servedHandler() {
  let n = 0;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  return withIdempotency(
    async (request, ...rest) => {
      const url = new URL(request.url);
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
