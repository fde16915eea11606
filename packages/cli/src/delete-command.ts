/**
 * `idempo delete <key> [--force]`: shows the record, then deletes it, unless it is in flight with its lease
 * running and `--force` is not given (its handler may still be running: a retry would run the request again).
 */
import { StoreFailure } from './cli-errors.js';
import type { CliIo } from './cli-io.js';
import { formatDuration } from './durations.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { findRecord, type RecordCommand } from './find-record.js';
import { formatRecord } from './format-record.js';
import { answer } from './output.js';
import { operation } from './read-record.js';
import type { RecordView } from './record-view.js';
import type { OpenedStore } from './store-target.js';

/** Why a delete was refused, in the JSON output. */
export type Refusal = 'lease-running';

function refusal(view: RecordView): string {
  const left =
    view.leaseExpiresAt === null
      ? ''
      : ` for another ${formatDuration(view.leaseExpiresAt.getTime() - view.checkedAt.getTime())}`;
  return (
    `idempo: refused: the record is in flight and its lease runs${left}, so its handler may still be running.\n` +
    'Deleting it would let a retry run the request a second time while the first one may still be running.\n' +
    'Wait for the handler to finish or for its lease to end (the next retry then takes the key over), or pass\n' +
    '--force if you know the handler is dead and its effects were not applied.\n'
  );
}

const FORCED =
  'idempo: deleted with --force while the lease was running: if the handler is still alive, its response will not\n' +
  'be stored, and a retry runs the request a second time.\n';

/** Deletes the record of the command's key, or refuses ({@link EXIT.refused}); {@link EXIT.noRecord} when none. */
export async function deleteCommand(
  command: RecordCommand,
  opened: OpenedStore,
  io: CliIo,
  now: () => Date,
): Promise<ExitCode> {
  const view = await findRecord(command, opened, io, now, {
    text: 'nothing deleted\n',
    fields: { deleted: false, refused: null },
  });
  if (view === undefined) return EXIT.noRecord;
  const leaseRunning = view.leaseRunning === true;
  if (leaseRunning && !command.force) {
    const refused: Refusal = 'lease-running';
    answer(
      io,
      command.json,
      () => formatRecord(view),
      () => ({ ...view, deleted: false, refused }),
    );
    io.stderr(refusal(view));
    return EXIT.refused;
  }
  const remove = operation(opened, 'delete');
  let deleted: boolean;
  try {
    deleted = await remove(view.storageKey);
  } catch (error) {
    // The record was shown: say that the delete, not the read, failed (it may or may not have been applied).
    throw new StoreFailure('the delete failed (the record may or may not be deleted: inspect it again)', {
      cause: error,
    });
  }
  answer(
    io,
    command.json,
    () =>
      `${formatRecord(view)}${
        deleted
          ? 'deleted: the next request with this key runs the handler afresh\n'
          : 'nothing deleted: the record was gone by then (it expired, or was released)\n'
      }`,
    () => ({ ...view, deleted, refused: null }),
  );
  if (deleted && leaseRunning) io.stderr(FORCED);
  return deleted ? EXIT.ok : EXIT.noRecord;
}
