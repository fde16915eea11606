/** `idempo inspect <key>`: the record, and what a retry gets now. Reads only. */
import type { CliIo } from './cli-io.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { findRecord, formatFound, foundFields, type RecordCommand } from './find-record.js';
import { answer } from './output.js';
import type { OpenedStore } from './store-target.js';

/** Prints the record of the command's key; {@link EXIT.noRecord} when there is none. */
export async function inspectCommand(
  command: RecordCommand,
  opened: OpenedStore,
  io: CliIo,
  now: () => Date,
): Promise<ExitCode> {
  const found = await findRecord(command, opened, now);
  answer(
    io,
    command.json,
    () => formatFound(found),
    () => foundFields(found),
  );
  return found.view === undefined ? EXIT.noRecord : EXIT.ok;
}
