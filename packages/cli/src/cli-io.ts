/** What `runCli` reads and writes besides its arguments, so that tests run it in-process. */
import type { OpenedStore, StoreTarget } from './store-target.js';

/** The outside world of one run of the CLI. */
export interface CliIo {
  /** Receives what goes to standard output (whole lines, each ending in `\n`). Required. */
  readonly stdout: (text: string) => void;
  /** Receives what goes to standard error: errors and warnings. Required. */
  readonly stderr: (text: string) => void;
  /** Where `REDIS_URL`, `DATABASE_URL` and `MONGODB_URL` are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** The clock of relative times and of "is the lease still running". Default `() => new Date()`. */
  readonly now?: (() => Date) | undefined;
  /**
   * Opens the store a command names. Default `openStore`: Redis, PostgreSQL or MongoDB through ioredis, pg and
   * the MongoDB driver. Tests pass one that opens a `MemoryStore`.
   */
  readonly openStore?: ((target: StoreTarget) => Promise<OpenedStore>) | undefined;
}
