import { StoreTimeoutError, type StoreUnavailableError } from './errors.js';
import { storeUnavailable } from './store-kit.js';

/** Starts a call as a promise: a synchronous throw rejects it, a plain value (a store that broke the contract) resolves it. */
function start<T>(call: (deadline: number) => Promise<T>, deadline: number): Promise<T> {
  try {
    return Promise.resolve(call(deadline));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Who waits for a {@link boundStoreCall}. None of its methods may throw. */
export interface BoundedCaller<T> {
  /** The call answered `value` in time. */
  answered(value: T): void;
  /** The call failed ({@link StoreUnavailableError}) or timed out ({@link StoreTimeoutError}); called once, in time. */
  failed(error: StoreUnavailableError): void;
  /** The call answered `value` after it had timed out: what it did belongs to nobody. */
  late(value: T): void;
}

/**
 * The bound of {@link withStoreTimeout} around a call already started (`pending`, its promise or its value, made
 * with `deadline`), reported to `caller` rather than through a promise of its own: the engine's calls settle
 * the request's own promise from there, without one more promise and the closures that make it. Exactly one of
 * `answered` or `failed` is called; `late` after `failed` when the call answers after its timeout.
 */
export function boundStoreCall<T>(
  operation: string,
  pending: T | Promise<T>,
  timeoutMs: number,
  deadline: number,
  caller: BoundedCaller<T>,
): void {
  let settled = false;
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  Promise.resolve(pending).then(
    (value) => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (timedOut) caller.late(value);
      else caller.answered(value);
    },
    (error: unknown) => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (!timedOut) caller.failed(storeUnavailable(operation, error));
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
        caller.failed(new StoreTimeoutError(`${operation} did not answer within ${timeoutMs} ms`));
      },
      Math.max(0, deadline - Date.now()),
    );
  });
}

const ignore = (): void => undefined;

/**
 * Runs one store call bounded by `timeoutMs`. `call` receives the call's deadline, `Date.now() + timeoutMs`
 * (epoch milliseconds, read once), to pass on to the store as `StoreCallOptions.deadline`: the one timer is this
 * function's. A timeout rejects with {@link StoreTimeoutError}; any other failure is wrapped in
 * {@link StoreUnavailableError} (the original is its `cause`). While the call is pending its timer keeps the
 * process alive (armed once the call is found pending after the current microtasks); once it settles, the timer
 * is cleared. When the call answers after the timeout, `onLate`
 * receives its value, so that a caller can undo what it no longer owns (a late reservation).
 *
 * Core bounds every `reserve`, `complete`, `release` and `extend` with it (or with {@link boundStoreCall}, the
 * same bound); a store may bound the calls core does not make (`get`, `delete`, `stats`). `operation` names the
 * call in error messages (e.g. `'RedisStore: stats'`).
 */
export function withStoreTimeout<T>(
  operation: string,
  call: (deadline: number) => Promise<T>,
  timeoutMs: number,
  onLate?: (value: T) => void,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<T>((resolve, reject) => {
    boundStoreCall(operation, start(call, deadline), timeoutMs, deadline, {
      answered: resolve,
      failed: reject,
      late: onLate ?? ignore,
    });
  });
}
