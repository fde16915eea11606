/**
 * The connection gate of `reserve`: a reservation is sent only on a connection that is up, never left in ioredis'
 * offline queue. A queued reserve would run when Redis comes back, long after its caller was answered 503, and
 * hold the key (a spurious 409 for the next retry) until core's late release of it landed.
 */
import { StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import { remainingMs } from '@idempo/core/store';

/** The events the gate waits for: `ready` (go ahead), `close` or `end` (the attempt failed: refuse). */
type GateEvent = 'ready' | 'close' | 'end';

/** What the gate reads of an ioredis `Redis` or `Cluster`: its `status` and its `ready`, `close` and `end` events. */
export interface ReadinessSource {
  readonly status?: string;
  once?(event: GateEvent, listener: () => void): unknown;
  off?(event: GateEvent, listener: () => void): unknown;
}

/** Statuses of a connection being opened: the gate waits for `ready` (within the caller's time) rather than queue. */
const OPENING = new Set(['connecting', 'connect']);

/**
 * Share of the time left until the call's deadline that the gate waits for `ready`: its own answer ("nothing was
 * sent") then reaches the caller before core's timeout does, and a reserve is never sent after its deadline.
 */
const READY_SHARE = 0.9;

/** Whether a reserve may be sent now without waiting: `ready`, `wait` (lazyConnect), or not an ioredis client. */
export function isReady(client: ReadinessSource): boolean {
  const status = client.status;
  return status === undefined || status === 'ready' || status === 'wait';
}

/**
 * Waits until `client` may be sent a reserve, or throws without sending anything:
 *
 * - `ready` (or no `status` at all: not an ioredis client), or `wait` (a `lazyConnect` client that has not
 *   connected yet: its first command is what connects it): go ahead at once;
 * - `connecting` / `connect` (opening, at start-up or reconnecting): wait for `ready`, within 90% of the time left
 *   until `deadline` (epoch ms; then `StoreTimeoutError`). An attempt that fails first (`close`, `end`) is
 *   refused then with `StoreUnavailableError`; without a deadline that is the only end of the wait, bounded by
 *   the client's own `connectTimeout`;
 * - anything else (`reconnecting`, `close`, `end`, `disconnecting`): `StoreUnavailableError` at once. Redis is
 *   down, and a command sent now would only wait in the offline queue.
 */
export async function whenReady(client: ReadinessSource, deadline: number | undefined): Promise<void> {
  if (isReady(client)) return;
  const status = String(client.status);
  if (!OPENING.has(status) || typeof client.once !== 'function' || typeof client.off !== 'function') {
    throw notReady(status);
  }
  const left = remainingMs(deadline);
  const budgetMs = left === undefined ? undefined : Math.floor(left * READY_SHARE);
  if (budgetMs === 0) throw notReadyInTime(status, 0);
  const opened = openingOutcome(client);
  if (budgetMs === undefined) return opened;
  // The one timer of the store, on this rare path only (a connection being opened): the wait ends before the
  // deadline core passed, so the reserve is never sent after its caller stopped waiting.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(notReadyInTime(String(client.status), budgetMs)), budgetMs);
  });
  try {
    await Promise.race([opened, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The pending outcome of each client's connection being opened, shared by every reserve waiting on it. */
const openings = new WeakMap<ReadinessSource, Promise<void>>();

/**
 * How the connection being opened ends: resolves on `ready`, rejects on `close` or `end` (a failed attempt). One
 * listener per event per client however many reserves wait (a burst at start-up would otherwise add one each and
 * trip Node's MaxListenersExceededWarning), removed when it settles.
 */
function openingOutcome(client: ReadinessSource): Promise<void> {
  const pending = openings.get(client);
  if (pending) return pending;
  const once = (client.once as NonNullable<ReadinessSource['once']>).bind(client);
  const off = (client.off as NonNullable<ReadinessSource['off']>).bind(client);
  const outcome = new Promise<void>((resolve, reject) => {
    function settle() {
      off('ready', settle);
      off('close', settle);
      off('end', settle);
      openings.delete(client);
      if (client.status === 'ready') resolve();
      else reject(notReady(String(client.status)));
    }
    once('ready', settle);
    once('close', settle);
    once('end', settle);
  });
  // Every waiter may have timed out before it settles: its refusal is theirs to see, never an unhandled one.
  outcome.catch(() => undefined);
  openings.set(client, outcome);
  return outcome;
}

function notReady(status: string): StoreUnavailableError {
  return new StoreUnavailableError(
    `RedisStore: reserve refused: the client is ${status}, not ready (Redis unreachable); nothing was sent`,
  );
}

function notReadyInTime(status: string, budgetMs: number): StoreTimeoutError {
  return new StoreTimeoutError(
    `RedisStore: reserve: the client was still ${status} after ${budgetMs} ms; nothing was sent`,
  );
}
