/**
 * Bounds one Redis call in time and types its failure. The store never waits on Redis longer than its
 * `timeoutMs`, whatever the client's own settings (offline queue, retries, reconnection back-off).
 */
import { StoreTimeoutError, StoreUnavailableError } from '@idempo/core';

/**
 * Runs `call` and settles with its result, or rejects:
 *
 * - with {@link StoreTimeoutError} when it has not answered within `timeoutMs`. The command may still be sent
 *   and run later (ioredis queues commands while disconnected and re-sends unanswered ones after a reconnect);
 *   `onLate` then receives its late result, so that the caller can undo it (the store releases a late
 *   reservation that nobody will ever use).
 * - with {@link StoreUnavailableError} (the original error as its `cause`) when it fails.
 *
 * The timer is cleared as soon as the call settles, so nothing here keeps the process alive.
 */
export function withDeadline<T>(
  operation: string,
  call: () => Promise<T>,
  timeoutMs: number,
  onLate?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new StoreTimeoutError(`RedisStore: ${operation} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        if (!timedOut) resolve(value);
        else onLate?.(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!timedOut) reject(toStoreError(operation, error));
      },
    );
  });
}

/** `error` as a {@link StoreUnavailableError}, keeping the original as its `cause`. */
export function toStoreError(operation: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`RedisStore: ${operation} failed: ${message}`, { cause: error });
}
