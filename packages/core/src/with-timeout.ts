import { StoreTimeoutError } from './errors.js';
import { storeUnavailable } from './store-kit.js';

/** Starts a call as a promise: a synchronous throw rejects it, a plain value (a store that broke the contract) resolves it. */
function start<T>(call: (deadline: number) => Promise<T>, deadline: number): Promise<T> {
  try {
    return Promise.resolve(call(deadline));
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Runs one store call bounded by `timeoutMs`. `call` receives the call's deadline, `Date.now() + timeoutMs`
 * (epoch milliseconds, read once), to pass on to the store as `StoreCallOptions.deadline`: the one timer is this
 * function's. A timeout rejects with {@link StoreTimeoutError}; any other failure is wrapped in
 * {@link StoreUnavailableError} (the original is its `cause`). While the call is pending its timer keeps the
 * process alive (armed once the call is found pending after the current microtasks); once it settles, the timer
 * is cleared. When the call answers after the timeout, `onLate`
 * receives its value, so that a caller can undo what it no longer owns (a late reservation).
 *
 * Core bounds every `reserve`, `complete`, `release` and `extend` with it; a store may bound the calls core does
 * not make (`get`, `delete`, `stats`). `operation` names the call in error messages (e.g. `'RedisStore: stats'`).
 */
export function withStoreTimeout<T>(
  operation: string,
  call: (deadline: number) => Promise<T>,
  timeoutMs: number,
  onLate?: (value: T) => void,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    start(call, deadline).then(
      (value) => {
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        if (timedOut) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        if (!timedOut) reject(storeUnavailable(operation, error));
      },
    );
    // The timer is armed only for a call still pending once the microtasks queued so far have run: a store that
    // answers without I/O (MemoryStore) has settled by then, and costs no timer (docs/benchmarks.md "Where a
    // keyed request's time goes").
    queueMicrotask(() => {
      if (settled) return;
      timer = setTimeout(
        () => {
          timedOut = true;
          reject(new StoreTimeoutError(`${operation} did not answer within ${timeoutMs} ms`));
        },
        Math.max(0, deadline - Date.now()),
      );
    });
  });
}
