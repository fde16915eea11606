/**
 * The slice of a `pg` `Pool` the store uses, as structural types: a `pg.Pool` fits them as it is, and the
 * published type declarations need neither `pg` nor `@types/pg`.
 */

/** One statement as the store sends it: a `pg` query config. */
export interface PostgresQueryConfig {
  /** The SQL text. */
  readonly text: string;
  /** The bound parameters (`$1`, `$2`, ...); absent for the multi-statement migration. */
  readonly values?: unknown[];
  /** The prepared statement's name, when prepared statements are on. */
  readonly name?: string;
}

/** What the store reads of a `pg` query result. */
export interface PostgresQueryResult {
  /** The rows, as objects keyed by column name. */
  readonly rows: unknown[];
  /** Rows the statement inserted, updated or deleted. */
  readonly rowCount: number | null;
}

/** A connection checked out of the pool: a `pg` `PoolClient`. */
export interface PostgresPoolClient {
  /** Sends one query and resolves with its result. */
  query(config: PostgresQueryConfig): Promise<PostgresQueryResult>;
  /** Gives the connection back; `true` closes it instead (its state is unknown after a failure or a timeout). */
  release(destroy?: boolean): void;
  /**
   * Listens for the connection's `error` events. `pg` emits one when a checked-out connection is lost; unheard,
   * it would be an uncaught exception, so the store listens for as long as it holds the connection.
   */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Stops listening (just before the connection is given back). */
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** A `pg` `Pool`, or anything that hands out {@link PostgresPoolClient}s the same way. */
export interface PostgresPool {
  /** Checks a connection out of the pool, opening one if needed. */
  connect(): Promise<PostgresPoolClient>;
}
