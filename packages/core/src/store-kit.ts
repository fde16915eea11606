/**
 * What every store author writes otherwise: option checks that name the store, the checks of a call's
 * durations, the reading of the deadline core passes ({@link StoreCallOptions}), and the wrapping of a driver's
 * failure into core's store errors. Exported from `@idempo/core/store`; the Redis, PostgreSQL and MongoDB stores
 * use it.
 */
import { InvalidOptionsError, StoreTimeoutError, StoreUnavailableError } from './errors.js';
import type { StoreCallOptions } from './store.js';

/**
 * Throws `InvalidOptionsError` (`'<store>: options <shape> are required'`) unless `options` is an object.
 * `store` names the store in the message (`'RedisStore'`), `shape` what it takes (`'{ client }'`).
 */
export function requireOptionsObject(store: string, options: unknown, shape: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`${store}: options ${shape} are required`);
  }
}

/**
 * An option that must be a positive safe integer: `value`, or `fallback` when it is `undefined`. Throws
 * `InvalidOptionsError` (`'<store>: <name> must be a positive integer, got <value>'`) otherwise.
 */
export function positiveIntegerOption(
  store: string,
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved <= 0) {
    throw new InvalidOptionsError(`${store}: ${name} must be a positive integer, got ${String(resolved)}`);
  }
  return resolved;
}

/**
 * A duration argument of a store call (`leaseMs`, `ttlMs`): a positive finite number of milliseconds, rounded up
 * to a whole one. Throws `RangeError` (`'<store>: <name> must be a positive number of milliseconds, got <value>'`)
 * otherwise: core never passes such a value, so it is a caller's bug, not a store failure.
 */
export function durationArgument(store: string, name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${store}: ${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return Math.ceil(value);
}

/**
 * Whole milliseconds left until `deadline` (epoch ms, {@link StoreCallOptions.deadline}), never below 0;
 * `undefined` when there is no deadline. What a store gives a server-side bound (`maxTimeMS`, `lock_timeout`),
 * or the longest it waits for a connection being opened.
 */
export function remainingMs(deadline: number | undefined, now: number = Date.now()): number | undefined {
  if (deadline === undefined) return undefined;
  return Math.max(0, Math.floor(deadline - now));
}

/**
 * For a store about to send a call: the milliseconds left until the call's deadline (at least 1), `undefined`
 * when `options` sets none. Throws `StoreTimeoutError` (`'<operation>: its deadline passed before it was sent;
 * nothing was sent'`) when it has passed: its caller has stopped waiting, and nothing should run for it.
 */
export function checkDeadline(operation: string, options: StoreCallOptions | undefined): number | undefined {
  const left = remainingMs(options?.deadline);
  if (left === 0) {
    throw new StoreTimeoutError(`${operation}: its deadline passed before it was sent; nothing was sent`);
  }
  return left;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}

/**
 * `error` as core's store error: a `StoreUnavailableError` (or subclass: `StoreTimeoutError`,
 * `CorruptRecordError`) as it is, anything else wrapped in a `StoreUnavailableError`
 * (`'<operation> failed: <message>'`) whose `cause` is the original. `operation` names the call
 * (`'MongoStore: reserve'`).
 */
export function storeUnavailable(operation: string, error: unknown): StoreUnavailableError {
  return error instanceof StoreUnavailableError
    ? error
    : new StoreUnavailableError(`${operation} failed: ${messageOf(error)}`, { cause: error });
}

/**
 * Runs one driver call, turning whatever it throws (synchronously or by rejecting) into core's store errors
 * ({@link storeUnavailable}). It bounds nothing: for `reserve`, `complete`, `release` and `extend` core does.
 */
export async function withStoreErrors<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storeUnavailable(operation, error);
  }
}
