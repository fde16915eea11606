import { StoreTimeoutError, StoreUnavailableError } from './errors.js';
import { queueableDelay, type TimerEntry, TimerQueue } from './timer-queue.js';

/**
 * The pending store calls of each timeout, one queue (and one armed timer) per distinct `timeoutMs`: every call
 * with the same bound falls due in the order it was made. A queue is forgotten once its timer finds it empty.
 */
const queues = new Map<number, TimerQueue>();
/** A queue left with no entry and no timer is dropped; were it to fire again, its successor would be, harmlessly. */
const forget = (queue: TimerQueue) => queues.delete(queue.delayMs);

function queueFor(timeoutMs: number): TimerQueue | undefined {
  let queue = queues.get(timeoutMs);
  if (queue === undefined && queueableDelay(timeoutMs)) {
    queue = new TimerQueue(timeoutMs, true, forget);
    queues.set(timeoutMs, queue);
  }
  return queue;
}

/** One store call in flight, waiting in its timeout's queue. */
class PendingCall<T> implements TimerEntry {
  due = 0;
  prev: TimerEntry | undefined = undefined;
  next: TimerEntry | undefined = undefined;
  queued = false;
  #timedOut = false;

  constructor(
    private readonly queue: TimerQueue,
    private readonly operation: string,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly onLate: ((value: T) => void) | undefined,
  ) {}

  expire(): void {
    this.#timedOut = true;
    this.reject(new StoreTimeoutError(`${this.operation} did not answer within ${this.queue.delayMs} ms`));
  }

  settled(value: T): void {
    if (this.#timedOut) {
      this.onLate?.(value);
      return;
    }
    this.queue.remove(this);
    this.resolve(value);
  }

  failed(error: unknown): void {
    // After a timeout the caller already has its StoreTimeoutError: a late failure is dropped.
    if (this.#timedOut) return;
    this.queue.remove(this);
    this.reject(unavailable(this.operation, error));
  }
}

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
 * its deadline keeps the process alive; once it settles, nothing does. When the call answers after the timeout,
 * `onLate` receives its value, so that a caller can undo what it no longer owns (a late reservation).
 *
 * Calls with the same `timeoutMs` share one armed timer: a call costs no `setTimeout`/`clearTimeout` of its own.
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
  const queue = queueFor(timeoutMs);
  if (queue === undefined) return withOwnTimer(operation, call, timeoutMs, onLate);
  return new Promise<T>((resolve, reject) => {
    const pending = new PendingCall(queue, operation, resolve, reject, onLate);
    queue.add(pending);
    start(call).then(
      (value) => pending.settled(value),
      (error: unknown) => pending.failed(error),
    );
  });
}

/** A bound that no queue serves (0, negative, not a number, beyond the longest timer): a timer of its own. */
function withOwnTimer<T>(
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
