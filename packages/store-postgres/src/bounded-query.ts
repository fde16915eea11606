/**
 * Runs one statement within a time budget that covers everything: waiting for a pooled connection, connecting,
 * the round trip and the server's work. Never hangs, never answers after the budget.
 */
import { StoreTimeoutError } from '@idempo/core';
import type { PostgresPool, PostgresPoolClient, PostgresQueryConfig, PostgresQueryResult } from './pool.js';
import { toStoreError } from './store-error.js';

/**
 * Connections the store has used carry this listener for good: pg emits 'error' on a Client whenever its backend
 * reports a fatal error with no query active (a terminated backend, 57P01), including in the moments between the
 * store letting go of a connection and the pool taking it back. Unheard, that 'error' would take the process
 * down; the pool's own listener and the store's per-query one still do the bookkeeping.
 */
function ignoreStrayError(): void {}
const guarded = new WeakSet<object>();

/**
 * Share of the remaining budget given to the server as its `lock_timeout`, so that a statement stuck behind a row
 * lock is ended by the server itself (its error arrives before the client-side timer fires, and nothing is
 * written after the caller was told it failed).
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
 * Runs the statement `build(lockTimeoutMs)` on a connection from `pool`. Rejects with `StoreTimeoutError` once
 * `timeoutMs` have passed, whatever the pool or the network are doing, and with a typed store error for any
 * failure. A connection obtained after the budget is handed back unused; a connection whose statement failed or
 * timed out is closed, not reused. `onUncertain` is called (once) when the statement was sent but the call
 * failed without knowing whether it committed: a timeout after sending, or a lost connection.
 */
export function boundedQuery(
  pool: PostgresPool,
  operation: string,
  timeoutMs: number,
  build: (lockTimeoutMs: string) => PostgresQueryConfig,
  onUncertain?: () => void,
): Promise<PostgresQueryResult> {
  const started = performance.now();
  return new Promise<PostgresQueryResult>((resolve, reject) => {
    let settled = false;
    let sent = false;
    let uncertain = false;
    const unknownOutcome = () => {
      if (!sent || uncertain) return;
      uncertain = true;
      onUncertain?.();
    };
    let held: { client: PostgresPoolClient; onError: (error: Error) => void } | undefined;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done();
    };
    const fail = (error: unknown) => settle(() => reject(toStoreError(operation, error)));
    /** Gives the held connection back once: closed when `destroy`, its error listener removed either way. */
    const release = (destroy: boolean) => {
      if (!held) return;
      const { client, onError } = held;
      held = undefined;
      client.removeListener('error', onError);
      client.release(destroy);
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(new StoreTimeoutError(`PostgresStore ${operation} did not answer within ${timeoutMs} ms`)),
      );
      // A statement still on the wire: close its connection so that nothing else queues behind it.
      release(true);
      unknownOutcome();
    }, timeoutMs);

    let connecting: Promise<PostgresPoolClient>;
    try {
      connecting = pool.connect();
    } catch (error) {
      connecting = Promise.reject(error);
    }
    connecting.then((client) => {
      if (!guarded.has(client)) {
        guarded.add(client);
        client.on('error', ignoreStrayError);
      }
      const remaining = timeoutMs - (performance.now() - started);
      if (settled || remaining <= 0) {
        // The budget ran out while waiting for this connection (or as it arrived, the timer about to fire):
        // give it back, run nothing.
        client.release(false);
        return;
      }
      // The connection lost while we hold it: pg emits 'error' (and fails the query too, in most cases).
      const onError = (error: Error) => {
        release(true);
        fail(error);
        unknownOutcome();
      };
      client.on('error', onError);
      held = { client, onError };
      const lockTimeout = String(Math.max(1, Math.floor(remaining * LOCK_TIMEOUT_SHARE)));
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
