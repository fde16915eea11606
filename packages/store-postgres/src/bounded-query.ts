/**
 * Runs one statement within a time budget that covers everything: waiting for a pooled connection, connecting,
 * the round trip and the server's work. Never hangs, never answers after the budget.
 */
import { StoreTimeoutError } from '@idempo/core';
import type { PostgresPool, PostgresPoolClient, PostgresQueryConfig, PostgresQueryResult } from './pool.js';
import { toStoreError } from './store-error.js';

/**
 * Share of the remaining budget given to the server as its `lock_timeout`, so that a statement stuck behind a row
 * lock is ended by the server itself (its error arrives before the client-side timer fires, and nothing is
 * written after the caller was told it failed).
 */
const LOCK_TIMEOUT_SHARE = 0.8;

/**
 * Runs the statement `build(lockTimeoutMs)` on a connection from `pool`. Rejects with `StoreTimeoutError` once
 * `timeoutMs` have passed, whatever the pool or the network are doing, and with a typed store error for any
 * failure. A connection obtained after the budget is handed back unused; a connection whose statement failed or
 * timed out is closed, not reused.
 */
export function boundedQuery(
  pool: PostgresPool,
  operation: string,
  timeoutMs: number,
  build: (lockTimeoutMs: string) => PostgresQueryConfig,
): Promise<PostgresQueryResult> {
  const started = performance.now();
  return new Promise<PostgresQueryResult>((resolve, reject) => {
    let settled = false;
    let active: PostgresPoolClient | undefined;
    let released = false;
    const release = (client: PostgresPoolClient, destroy: boolean) => {
      if (released) return;
      released = true;
      client.release(destroy);
    };
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(new StoreTimeoutError(`PostgresStore ${operation} did not answer within ${timeoutMs} ms`)),
      );
      // A statement still on the wire: close its connection so that nothing else queues behind it.
      if (active) release(active, true);
    }, timeoutMs);

    let connecting: Promise<PostgresPoolClient>;
    try {
      connecting = pool.connect();
    } catch (error) {
      connecting = Promise.reject(error);
    }
    connecting.then(
      (client) => {
        if (settled) {
          // The budget ran out while waiting for this connection: give it back, run nothing.
          client.release(false);
          return;
        }
        active = client;
        const remaining = timeoutMs - (performance.now() - started);
        const lockTimeout = String(Math.max(1, Math.floor(remaining * LOCK_TIMEOUT_SHARE)));
        let running: Promise<PostgresQueryResult>;
        try {
          running = client.query(build(lockTimeout));
        } catch (error) {
          running = Promise.reject(error);
        }
        running.then(
          (result) => {
            release(client, false);
            settle(() => resolve(result));
          },
          (error: unknown) => {
            release(client, true);
            settle(() => reject(toStoreError(operation, error)));
          },
        );
      },
      (error: unknown) => settle(() => reject(toStoreError(operation, error))),
    );
  });
}
