import { StoreTimeoutError, StoreUnavailableError } from './errors.js';

/**
 * Runs one store call bounded by `timeoutMs`. A timeout rejects with {@link StoreTimeoutError}; any other
 * failure is wrapped in {@link StoreUnavailableError} (the original is its `cause`). The timer is cleared as soon
 * as the call settles, so it never keeps the process alive. When the call answers after the timeout, `onLate`
 * receives its value, so that a caller can undo what it no longer owns (a late reservation).
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
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (e) {
      pending = Promise.reject(e);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(
          error instanceof StoreUnavailableError
            ? error
            : new StoreUnavailableError(
                `${operation} failed: ${String((error as Error)?.message ?? error)}`,
                {
                  cause: error,
                },
              ),
        );
      },
    );
  });
}
