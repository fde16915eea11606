/** One timed autocannon run against a server, reduced to what the report needs. */
import autocannon from 'autocannon';
import type { KeyedRequest } from './scenarios.js';

/** What one run measured. */
export interface LoadResult {
  /** Completed requests per second (all statuses), the mean over the run. */
  readonly rps: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Responses by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly timeouts: number;
}

/** The load: how many connections, for how long, and at most how fast. */
export interface LoadSettings {
  readonly connections: number;
  readonly durationMs: number;
  /** Requests per second over all connections (autocannon's `overallRate`); as fast as the server answers when unset. */
  readonly rate?: number;
  /** Exactly this many requests, however long they take (autocannon's `amount`): `durationMs` is then ignored. */
  readonly amount?: number;
  /** How long one request may take before it counts as a timeout. Default 10,000 ms. */
  readonly timeoutMs?: number;
}

/** Drives `url` with `request` on `connections` connections for `durationMs` (autocannon, no pipelining). */
export async function runLoad(
  url: string,
  request: KeyedRequest,
  settings: LoadSettings,
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: settings.connections,
    pipelining: 1,
    duration: settings.durationMs / 1000,
    timeout: (settings.timeoutMs ?? 10_000) / 1000,
    ...(settings.rate === undefined ? {} : { overallRate: settings.rate }),
    ...(settings.amount === undefined ? {} : { amount: settings.amount }),
    requests: [request as unknown as autocannon.Request],
  });
  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = (stats as { count: number }).count;
  }
  return {
    rps: result.requests.total / (result.duration || settings.durationMs / 1000),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
