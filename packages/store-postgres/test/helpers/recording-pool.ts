/**
 * A pool wrapper that records what the store sends: every `query()` call (the store's side), and every
 * ReadyForQuery the server answers on those connections (the wire's side: the server sends exactly one per
 * round trip, that is per Sync or simple Query message).
 */
import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient, PostgresQueryConfig } from '../../src/index.js';

export interface RecordingPool extends PostgresPool {
  /** Query configs sent since the last `reset()`. */
  readonly queries: PostgresQueryConfig[];
  /** ReadyForQuery messages received since the last `reset()`. */
  readyForQuery: number;
  reset(): void;
}

/** Wraps a `pg` pool. */
export function recordingPool(pool: pg.Pool): RecordingPool {
  const watched = new WeakSet<pg.PoolClient>();
  const recording: RecordingPool = {
    queries: [],
    readyForQuery: 0,
    reset() {
      recording.queries.length = 0;
      recording.readyForQuery = 0;
    },
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      if (!watched.has(client)) {
        watched.add(client);
        client.connection.on('readyForQuery', () => {
          recording.readyForQuery++;
        });
      }
      return {
        query(config) {
          recording.queries.push(config);
          return client.query(config);
        },
        release(destroy) {
          client.release(destroy);
        },
        on(event, listener) {
          return client.on(event, listener);
        },
        removeListener(event, listener) {
          return client.removeListener(event, listener);
        },
      };
    },
  };
  return recording;
}
