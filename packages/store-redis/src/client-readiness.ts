/**
 * The connection gate of `reserve`: a reservation is sent only on a connection that is up, never left in ioredis'
 * offline queue. A queued reserve would run when Redis comes back, long after its caller was answered 503, and
 * hold the key (a spurious 409 for the next retry) until the store's late release of it landed.
 */
import { StoreTimeoutError, StoreUnavailableError } from '@idempo/core';

/** What the gate reads of an ioredis `Redis` or `Cluster`: its `status` and its `ready` event. */
export interface ReadinessSource {
  readonly status?: string;
  once?(event: 'ready' | 'end', listener: () => void): unknown;
  off?(event: 'ready' | 'end', listener: () => void): unknown;
}

/** Statuses of a connection being opened: the gate waits for `ready` (within the caller's time) rather than queue. */
const OPENING = new Set(['connecting', 'connect']);

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
 * - `connecting` / `connect` (opening, at start-up or reconnecting): wait for `ready` until `budgetMs` has passed,
 *   then `StoreTimeoutError`;
 * - anything else (`reconnecting`, `close`, `end`, `disconnecting`): `StoreUnavailableError` at once. Redis is
 *   down, and a command sent now would only wait in the offline queue.
 */
export async function whenReady(client: ReadinessSource, budgetMs: number): Promise<void> {
  if (isReady(client)) return;
  const status = String(client.status);
  if (!OPENING.has(status) || typeof client.once !== 'function' || typeof client.off !== 'function') {
    throw notReady(status);
  }
  const { once, off } = { once: client.once.bind(client), off: client.off.bind(client) };
  await new Promise<void>((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      off('ready', settle);
      off('end', settle);
      if (client.status === 'ready') resolve();
      else reject(notReady(String(client.status)));
    };
    const timer = setTimeout(() => {
      off('ready', settle);
      off('end', settle);
      reject(
        new StoreTimeoutError(
          `RedisStore: reserve: the client was still ${String(client.status)} after ${budgetMs} ms; nothing was sent`,
        ),
      );
    }, budgetMs);
    once('ready', settle);
    once('end', settle);
  });
}

function notReady(status: string): StoreUnavailableError {
  return new StoreUnavailableError(
    `RedisStore: reserve refused: the client is ${status}, not ready (Redis unreachable); nothing was sent`,
  );
}
