/** Options of {@link idempotentFetch}, with their defaults, validated once per call. */

/** Information given to `onRetry` before each new attempt. */
export interface RetryInfo {
  /** The attempt about to be made (2 for the first retry). */
  readonly attempt: number;
  /** Milliseconds waited before it. */
  readonly delayMs: number;
  /** Why: the status of the previous answer, or the network error. */
  readonly reason: { readonly status: number } | { readonly error: unknown };
}

/** Options of {@link idempotentFetch}. */
export interface IdempotentFetchOptions {
  /** The key of this logical request. Default: a new {@link newIdempotencyKey}. */
  readonly key?: string | undefined;
  /** The request header. Default `'Idempotency-Key'`. */
  readonly headerName?: string | undefined;
  /** Most attempts in all, the first included. Default `5`. */
  readonly maxAttempts?: number | undefined;
  /** Statuses retried besides 409 (in flight) and network errors. Never 400 or 422. Default `[429, 502, 503, 504]`. */
  readonly retryStatuses?: readonly number[] | undefined;
  /** First backoff delay in ms; each retry doubles it, with full jitter. Default `200`. */
  readonly baseDelayMs?: number | undefined;
  /** Longest wait between attempts, `Retry-After` included. Default `10_000`. */
  readonly maxDelayMs?: number | undefined;
  /** The header marking a replayed answer. Default `'Idempotent-Replayed'`. */
  readonly replayHeader?: string | undefined;
  /** The fetch to use. Default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Called before each retry. Default: none. */
  readonly onRetry?: ((info: RetryInfo) => void) | undefined;
  /** Random source in [0, 1) for the jitter (tests). Default `Math.random`. */
  readonly random?: (() => number) | undefined;
}

/** The options with every default filled in. */
export interface ResolvedFetchOptions {
  readonly key: string;
  readonly headerName: string;
  readonly maxAttempts: number;
  readonly retryStatuses: ReadonlySet<number>;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly replayHeader: string;
  readonly fetch: typeof globalThis.fetch;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
  readonly random: () => number;
}

/** Statuses never retried: the request itself is wrong, and sending it again cannot help. */
export const NEVER_RETRIED: ReadonlySet<number> = new Set([400, 422]);

function count(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer >= ${min}`);
  return value;
}

/** Fills in defaults and validates; throws `RangeError`/`TypeError` for bad options. */
export function resolveFetchOptions(options: IdempotentFetchOptions, key: string): ResolvedFetchOptions {
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw new TypeError('no fetch: pass options.fetch');
  const retryStatuses = new Set(options.retryStatuses ?? [429, 502, 503, 504]);
  for (const status of retryStatuses) {
    if (NEVER_RETRIED.has(status))
      throw new RangeError(`status ${status} is never retried: the request itself is wrong`);
  }
  retryStatuses.add(409);
  return {
    key,
    headerName: options.headerName ?? 'Idempotency-Key',
    maxAttempts: count('maxAttempts', options.maxAttempts ?? 5, 1),
    retryStatuses,
    baseDelayMs: count('baseDelayMs', options.baseDelayMs ?? 200, 0),
    maxDelayMs: count('maxDelayMs', options.maxDelayMs ?? 10_000, 0),
    replayHeader: options.replayHeader ?? 'Idempotent-Replayed',
    fetch: fetchFn,
    onRetry: options.onRetry,
    random: options.random ?? Math.random,
  };
}
