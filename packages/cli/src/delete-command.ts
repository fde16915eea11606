/**
 * `idempo delete <key> [--force]`: shows the record, then asks the store to delete it. The store decides and
 * deletes in one atomic step, by its own clock: it keeps an in-flight record whose lease still runs unless
 * `--force` (its handler may still be running: a retry would run the request again). The record read first is
 * only shown; what happened is what the store answers.
 */
import type { DeleteResult } from '@idempo/core/store';
import { StoreFailure } from './cli-errors.js';
import type { CliIo } from './cli-io.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { type Found, findRecord, formatFound, foundFields, type RecordCommand } from './find-record.js';
import { answer } from './output.js';
import { operation } from './read-record.js';
import type { OpenedStore } from './store-target.js';

/** Why a delete was refused, in the JSON output. */
export type Refusal = 'lease-running';

/** Whether the record shown agrees with the store's 'in-flight': in flight, lease running by this clock. */
const showsRunningLease = (found: Found): boolean => found.view?.leaseRunning === true;

function refusal(found: Found): string {
  const differs = showsRunningLease(found)
    ? ''
    : 'The record shown above was read just before and differs: a request reserved or took over the key in\n' +
      "between, or this machine's clock is ahead of the store's.\n";
  return (
    'idempo: refused: the store reports the record in flight with its lease still running (by its own clock), so\n' +
    'its handler may still be running. Nothing was deleted.\n' +
    differs +
    'Deleting it would let a retry run the request a second time while the first one may still be running.\n' +
    'Wait for the handler to finish or for its lease to end (the next retry then takes the key over), or pass\n' +
    '--force if you know the handler is dead and its effects were not applied.\n'
  );
}

const FORCED =
  'idempo: deleted with --force: if the record was in flight with its lease running and its handler is still\n' +
  'alive, its response will not be stored, and a retry runs the request a second time.\n';

function outcome(found: Found, result: DeleteResult): string {
  if (result === 'deleted') {
    return found.view === undefined
      ? 'deleted: a record written after the read above (not shown) was deleted; the next request with this key\n' +
          'runs the handler afresh\n'
      : 'deleted: the next request with this key runs the handler afresh\n';
  }
  if (result === 'not-found') {
    return found.view === undefined
      ? 'nothing deleted\n'
      : 'nothing deleted: the record was gone by then (it expired, or was released)\n';
  }
  return '';
}

const EXIT_OF: Readonly<Record<DeleteResult, ExitCode>> = {
  deleted: EXIT.ok,
  'in-flight': EXIT.refused,
  'not-found': EXIT.noRecord,
};

/**
 * Shows the record of the command's key and deletes it with the store's `delete(key, { force })`, whose answer
 * decides: {@link EXIT.ok} deleted, {@link EXIT.refused} kept (in flight, lease running, no `--force`),
 * {@link EXIT.noRecord} none.
 */
export async function deleteCommand(
  command: RecordCommand,
  opened: OpenedStore,
  io: CliIo,
  now: () => Date,
): Promise<ExitCode> {
  const found = await findRecord(command, opened, now);
  const remove = operation(opened, 'delete');
  const storageKey = found.view === undefined ? found.key.storageKey : found.view.storageKey;
  let result: DeleteResult;
  try {
    result = await remove(storageKey, { force: command.force });
  } catch (error) {
    // The record was read: say that the delete, not the read, failed (it may or may not have been applied).
    throw new StoreFailure('the delete failed (the record may or may not be deleted: inspect it again)', {
      cause: error,
    });
  }
  const refused: Refusal | null = result === 'in-flight' ? 'lease-running' : null;
  answer(
    io,
    command.json,
    () => `${formatFound(found)}${outcome(found, result)}`,
    () => ({ ...foundFields(found), deleted: result === 'deleted', refused }),
  );
  if (refused !== null) io.stderr(refusal(found));
  else if (result === 'deleted' && command.force && found.view?.state !== 'completed') io.stderr(FORCED);
  return EXIT_OF[result];
}
