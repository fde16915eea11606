/** Small helpers for the package's own tests: keyed requests built as a runtime hands them to a handler. */
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '@idempo/core';

/** A key no other test uses, quoted as an sf-string. */
export const newKey = (): string => `"k-${randomBytes(6).toString('hex')}"`;

/** What one request carries. */
export interface RequestOptions {
  readonly key?: string | undefined;
  readonly json?: unknown;
  readonly body?: BodyInit | undefined;
  readonly headers?: Record<string, string> | undefined;
  readonly method?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** A fetch Request (POST by default) with an optional key and a JSON or raw body. */
export function request(path: string, options: RequestOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.key !== undefined) headers.set('idempotency-key', options.key);
  let body: BodyInit | null = options.body ?? null;
  if (options.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(options.json);
  }
  const init: RequestInit & { duplex?: 'half' } = {
    method: options.method ?? 'POST',
    headers,
    body,
    signal: options.signal ?? null,
  };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return new Request(`http://localhost${path}`, init);
}

/** A MemoryStore whose `release` and `complete` calls are counted. */
export function countingStore(): MemoryStore & { completes: number; releases: number } {
  const store = new MemoryStore() as MemoryStore & { completes: number; releases: number };
  store.completes = 0;
  store.releases = 0;
  const complete = store.complete.bind(store);
  const release = store.release.bind(store);
  store.complete = (...args) => {
    store.completes++;
    return complete(...args);
  };
  store.release = (...args) => {
    store.releases++;
    return release(...args);
  };
  return store;
}

/** A stream of `n` chunks of `size` bytes (chunk i filled with i + 1), `gapMs` apart; `pulled()` counts bytes. */
export function chunks(
  n: number,
  size: number,
  gapMs = 0,
): ReadableStream<Uint8Array> & { pulled(): number } {
  let sent = 0;
  let bytes = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === n) return controller.close();
      if (sent > 0 && gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      controller.enqueue(new Uint8Array(size).fill((sent + 1) % 256));
      sent++;
      bytes += size;
    },
  });
  return Object.assign(stream, { pulled: () => bytes });
}

/** Reads a problem+json body. */
export async function problem(res: Response): Promise<{ status: number; code: string; type: string }> {
  expectType(res, 'application/problem+json');
  return (await res.json()) as { status: number; code: string; type: string };
}

function expectType(res: Response, type: string): void {
  if (!(res.headers.get('content-type') ?? '').startsWith(type))
    throw new Error(`expected ${type}, got ${res.status} ${res.headers.get('content-type')}`);
}
