/** The first step of `inspect` and `delete`: find the record, or say there is none. */
import type { Command } from './args.js';
import type { CliIo } from './cli-io.js';
import { formatNotFound } from './format-record.js';
import { answer } from './output.js';
import { lookUp } from './read-record.js';
import { type RecordView, recordView } from './record-view.js';
import type { OpenedStore } from './store-target.js';

/** The `inspect` and `delete` command lines. */
export type RecordCommand = Extract<Command, { name: 'inspect' | 'delete' }>;

/**
 * The view of the command's record, judged now; when there is none, prints so (followed by `noneText`, and with
 * `noneFields` added to the JSON) and resolves with `undefined`.
 */
export async function findRecord(
  command: RecordCommand,
  opened: OpenedStore,
  io: CliIo,
  now: () => Date,
  none: { readonly text: string; readonly fields: Readonly<Record<string, unknown>> },
): Promise<RecordView | undefined> {
  const { key, location, record } = await lookUp(opened, command.key);
  if (record !== undefined) {
    return recordView(record, key, { store: opened.description, location }, now(), command.body);
  }
  answer(
    io,
    command.json,
    () => `${formatNotFound(key, opened.description, location)}${none.text}`,
    () => ({ found: false, store: opened.description, location, ...key, ...none.fields }),
  );
  return undefined;
}
