/** The exit codes of `idempo`, one meaning each (README "Exit codes"). */
export const EXIT = {
  /** The record was found, or the command did what it was asked. */
  ok: 0,
  /** No live record for the key (none was written, it expired, or it was released). */
  noRecord: 1,
  /** A usage error: unknown command or option, a missing or malformed argument. */
  usage: 2,
  /** The store could not be reached, or an operation on it failed or timed out. */
  storeError: 3,
  /** Refused: `delete` without `--force`, and the store kept the record: in flight, lease running (its clock). */
  refused: 4,
} as const;

/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
