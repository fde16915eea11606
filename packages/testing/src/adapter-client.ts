/** The suite's view of an app under test: requests with keys and bodies, and the execution counters. */
import { bodyJsonOf } from './adapter-http.js';
import type { AdapterApp, AdapterResponse } from './adapter-types.js';
import type { CountedRouteId } from './reference-types.js';
import { sleep } from './sleep.js';

/** What one request of a case carries. */
export interface SendOptions {
  /** The raw `Idempotency-Key` field value, or one value per field line; absent for no key. */
  readonly key?: string | readonly string[] | undefined;
  /** The key header's name as sent. Default `'Idempotency-Key'`. */
  readonly keyHeader?: string | undefined;
  /** A JSON body (sent with `Content-Type: application/json`). */
  readonly json?: unknown;
  /** Raw body bytes (sent with `Content-Type: application/octet-stream` unless `contentType` says otherwise). */
  readonly bytes?: Uint8Array | undefined;
  /** The `Content-Type` of `bytes` (a multipart body's, with its boundary). Default `application/octet-stream`. */
  readonly contentType?: string | undefined;
  /** Sent as `Authorization: Bearer <principal>`. */
  readonly principal?: string | undefined;
  /** Aborts the request: the client disconnects (`AdapterRequest.signal`). Default: none. */
  readonly signal?: AbortSignal | undefined;
}

/** A client of one app under test. */
export interface SuiteClient {
  /** Sends a request. */
  send(method: string, path: string, options?: SendOptions): Promise<AdapterResponse>;
  /** Executions of `route` since the last reset, read through `GET /stats`. */
  executions(route: CountedRouteId): Promise<number>;
  /** Zeroes the counters through `POST /stats/reset`. */
  reset(): Promise<void>;
  /** Resolves once `route` has run at least `count` times; fails after `timeoutMs`. */
  waitForExecutions(route: CountedRouteId, count: number, timeoutMs?: number): Promise<void>;
}

/** The value of an `Idempotency-Key` field carrying `key` as an sf-string. */
export function quoted(key: string): string {
  return `"${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function headersOf(options: SendOptions): Record<string, string | readonly string[]> {
  const headers: Record<string, string | readonly string[]> = {};
  if (options.key !== undefined) headers[options.keyHeader ?? 'Idempotency-Key'] = options.key;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  else if (options.bytes !== undefined)
    headers['content-type'] = options.contentType ?? 'application/octet-stream';
  if (options.principal !== undefined) headers['authorization'] = `Bearer ${options.principal}`;
  return headers;
}

/** Wraps an app in a {@link SuiteClient}. */
export function createSuiteClient(app: AdapterApp): SuiteClient {
  const executions = async (route: CountedRouteId): Promise<number> => {
    const response = await app.request({ method: 'GET', path: '/stats' });
    if (response.status !== 200) throw new Error(`GET /stats answered ${response.status}`);
    const stats = bodyJsonOf(response) as { executions?: Partial<Record<CountedRouteId, number>> };
    return stats.executions?.[route] ?? 0;
  };
  return {
    send: (method, path, options = {}) =>
      app.request({
        method,
        path,
        headers: headersOf(options),
        body: options.json !== undefined ? JSON.stringify(options.json) : options.bytes,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      }),
    executions,
    reset: async () => {
      const response = await app.request({ method: 'POST', path: '/stats/reset' });
      if (response.status !== 204) throw new Error(`POST /stats/reset answered ${response.status}`);
    },
    waitForExecutions: async (route, count, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = await executions(route);
        if (seen >= count) return;
        if (Date.now() > deadline) throw new Error(`${route} ran ${seen} times, expected ${count} by now`);
        await sleep(5);
      }
    },
  };
}
