/** `idempo inspect <key>`: the record, and what a retry gets now. Reads only. */
import type { Command } from './args.js';
import type { CliIo } from './cli-io.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { formatNotFound, formatRecord } from './format-record.js';
import { answer } from './output.js';
import { lookUp } from './read-record.js';
import { recordView } from './record-view.js';
import type { OpenedStore } from './store-target.js';

/** The `inspect` and `delete` command lines. */
export type RecordCommand = Extract<Command, { name: 'inspect' | 'delete' }>;

/** Prints the record of the command's key; {@link EXIT.noRecord} when there is none. */
export async function inspectCommand(
  command: RecordCommand,
  opened: OpenedStore,
  io: CliIo,
  now: () => Date,
): Promise<ExitCode> {
  const { key, location, record } = await lookUp(opened, command.key);
  if (record === undefined) {
    answer(
      io,
      command.json,
      () => formatNotFound(key, opened.description, location),
      () => ({ found: false, store: opened.description, location, ...key }),
    );
    return EXIT.noRecord;
  }
  const view = recordView(record, key, { store: opened.description, location }, now(), command.body);
  answer(
    io,
    command.json,
    () => formatRecord(view),
    () => view,
  );
  return EXIT.ok;
}
