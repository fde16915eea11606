import { StoreTimeoutError, StoreUnavailableError } from './errors.js';

function unavailable(operation: string, error: unknown): StoreUnavailableError {
  return error instanceof StoreUnavailableError
    ? error
    : new StoreUnavailableError(`${operation} failed: ${String((error as Error)?.message ?? error)}`, {
        cause: error,
      });
}

/** Starts a call as a promise: a synchronous throw rejects it, a plain value (a store that broke the contract) resolves it. */
function start<T>(call: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Runs one store call bounded by `timeoutMs`. A timeout rejects with {@link StoreTimeoutError}; any other
 * failure is wrapped in {@link StoreUnavailableError} (the original is its `cause`). While the call is pending
 * its timer keeps the process alive; once it settles, the timer is cleared. When the call answers after the
 * timeout, `onLate` receives its value, so that a caller can undo what it no longer owns (a late reservation).
 *
 * Core bounds every store call with it; stores use it to bound their own I/O. `operation` names the call in
 * error messages (e.g. `'RedisStore: reserve'`).
 */
export function withStoreTimeout<T>(
  operation: string,
  call: () => Promise<T>,
  timeoutMs: number,
  onLate?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new StoreTimeoutError(`${operation} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    start(call).then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!timedOut) reject(unavailable(operation, error));
      },
    );
  });
}
