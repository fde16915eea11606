/** The two failures the commands raise on purpose; anything else a store or driver throws is a store error. */
import type { CommandName } from './usage.js';

/** The command line is wrong (exit 2): the message says what, the command's help says how. */
export class UsageError extends Error {
  /** The command whose help to point at, when known. */
  readonly command: CommandName | undefined;

  constructor(message: string, command?: CommandName) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** The store cannot do what the command needs (exit 3), said in words an operator can act on. */
export class StoreFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreFailure';
  }
}
