/**
 * Runs one statement within its bound: the store's own budget (`timeoutMs`, a timer) for the calls core never
 * makes, or the deadline core passed for those it makes (no timer: core's is the one). Either covers waiting for a
 * pooled connection, connecting, the round trip and the server's work; nothing runs after it.
 */
import { StoreTimeoutError } from '@idempo/core';
import { remainingMs } from '@idempo/core/store';
import type { OverdueCall, OverdueCalls } from './overdue-calls.js';
import type { PostgresPool, PostgresPoolClient, PostgresQueryConfig, PostgresQueryResult } from './pool.js';
import { toStoreError } from './store-error.js';

/**
 * How a statement is bounded: `timeoutMs`, the store's own timer (get, delete, stats, cleanup, migrate), or
 * `deadline`, the one core passed (reserve, complete, release, extend; `undefined` when the caller gave none),
 * with the calls in flight registered in `overdue` so that one stuck past its deadline is given up later.
 */
export type QueryBound =
  | { readonly timeoutMs: number }
  | { readonly deadline: number | undefined; readonly overdue: OverdueCalls };

/**
 * Connections the store has used carry one 'error' listener for good: pg emits 'error' on a Client whenever its
 * backend reports a fatal error with no query active (a terminated backend, 57P01), including in the moments
 * between the store letting go of a connection and the pool taking it back. Unheard, that 'error' would take the
 * process down. While a call holds the connection, the listener hands the error to that call (`holders`); between
 * calls it drops it (the pool's own listener does the bookkeeping). One listener added once per connection, not
 * one added and removed per call (the EventEmitter's bookkeeping was a measurable share of a call's CPU).
 */
const holders = new WeakMap<object, (error: Error) => void>();
function listenedTo(client: PostgresPoolClient): void {
  if (holders.has(client)) return;
  holders.set(client, ignoreStrayError);
  client.on('error', (error: Error) => holders.get(client)?.(error));
}
function ignoreStrayError(): void {}

/**
 * Share of the time left given to the server as its `lock_timeout`, so that a statement stuck behind a row lock is
 * ended by the server itself (its error arrives before the bound, the store's or core's, and nothing is written
 * after the caller was told it failed).
 */
const LOCK_TIMEOUT_SHARE = 0.8;

/**
 * True when the server rejected the statement itself (an ERROR: its implicit transaction rolled back, nothing was
 * written). A FATAL or PANIC (a terminated backend, a crash) may come after the commit; an error without a
 * severity is the connection's, not the server's.
 */
function rolledBack(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { severity?: unknown }).severity === 'ERROR'
  );
}

/**
 * Runs the statement `build(lockTimeoutMs)` on a connection from `pool`, within `bound`, rejecting with a typed
 * store error for any failure. With `timeoutMs`, rejects with `StoreTimeoutError` once it has passed, whatever the
 * pool or the network are doing. With a deadline, arms no timer: a connection obtained after it is handed back
 * unused (`StoreTimeoutError`, nothing sent), the server's `lock_timeout` ends within it, and a call still
 * unanswered well past it is abandoned by a later call (overdue-calls.ts). A connection whose statement failed
 * or timed out is closed, not reused. `onUncertain` is called (once) when the statement was sent but the call
 * failed without knowing whether it committed: a timeout after sending, or a lost connection.
 */
export function boundedQuery(
  pool: PostgresPool,
  operation: string,
  bound: QueryBound,
  build: (lockTimeoutMs: string) => PostgresQueryConfig,
  onUncertain?: () => void,
): Promise<PostgresQueryResult> {
  const own = 'timeoutMs' in bound;
  const deadline = own ? Date.now() + bound.timeoutMs : bound.deadline;
  if (!own) {
    // Calls of earlier ones stuck well past their deadline give back their connections first.
    bound.overdue.reap();
    if (remainingMs(deadline) === 0) {
      return Promise.reject(
        new StoreTimeoutError(
          `PostgresStore ${operation}: its deadline passed before it was sent; nothing was sent`,
        ),
      );
    }
  }
  return new Promise<PostgresQueryResult>((resolve, reject) => {
    let settled = false;
    let sent = false;
    let uncertain = false;
    const unknownOutcome = () => {
      if (!sent || uncertain) return;
      uncertain = true;
      onUncertain?.();
    };
    let held: PostgresPoolClient | undefined;
    let overdue: OverdueCall | undefined;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (overdue && !own) bound.overdue.delete(overdue);
      done();
    };
    const fail = (error: unknown) => settle(() => reject(toStoreError(operation, error)));
    /** Gives the held connection back once: closed when `destroy`, its error listener removed either way. */
    const release = (destroy: boolean) => {
      if (!held) return;
      const client = held;
      held = undefined;
      holders.set(client, ignoreStrayError);
      client.release(destroy);
    };
    /** Ends the call with `error`: a statement still on the wire has its connection closed, so nothing queues behind it. */
    const giveUp = (error: StoreTimeoutError) => {
      settle(() => reject(error));
      release(true);
      unknownOutcome();
    };
    const timer = own
      ? setTimeout(
          () =>
            giveUp(
              new StoreTimeoutError(`PostgresStore ${operation} did not answer within ${bound.timeoutMs} ms`),
            ),
          bound.timeoutMs,
        )
      : undefined;
    if (!own && deadline !== undefined) {
      overdue = {
        deadline,
        abandon: () =>
          giveUp(
            new StoreTimeoutError(
              `PostgresStore ${operation} still unanswered well past its deadline; abandoned`,
            ),
          ),
      };
      bound.overdue.add(overdue);
    }

    let connecting: Promise<PostgresPoolClient>;
    try {
      connecting = pool.connect();
    } catch (error) {
      connecting = Promise.reject(error);
    }
    connecting.then((client) => {
      listenedTo(client);
      const remaining = remainingMs(deadline);
      if (settled || remaining === 0) {
        // The bound ran out while waiting for this connection (or as it arrived): give it back, run nothing.
        client.release(false);
        settle(() =>
          reject(
            new StoreTimeoutError(
              `PostgresStore ${operation}: no connection before its deadline; nothing was sent`,
            ),
          ),
        );
        return;
      }
      // The connection lost while we hold it: pg emits 'error' (and fails the query too, in most cases).
      holders.set(client, (error: Error) => {
        release(true);
        fail(error);
        unknownOutcome();
      });
      held = client;
      // No deadline (a caller that bounds the call itself): no lock timeout either ('0' turns it off).
      const lockTimeout =
        remaining === undefined ? '0' : String(Math.max(1, Math.floor(remaining * LOCK_TIMEOUT_SHARE)));
      let running: Promise<PostgresQueryResult>;
      try {
        sent = true;
        running = client.query(build(lockTimeout));
      } catch (error) {
        running = Promise.reject(error);
      }
      running.then(
        (result) => {
          release(false);
          settle(() => resolve(result));
        },
        (error: unknown) => {
          release(true);
          fail(error);
          if (!rolledBack(error)) unknownOutcome();
        },
      );
    }, fail);
  });
}
