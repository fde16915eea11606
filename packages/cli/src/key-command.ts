/** `idempo key <key>`: the storage key of a client's key, to grep logs and events. Opens no store. */
import type { Command } from './args.js';
import type { CliIo } from './cli-io.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { answer } from './output.js';
import { keyViewOf } from './read-record.js';

/** Prints the storage key alone (text), or the key fields and the storage key (`--json`). */
export async function keyCommand(command: Extract<Command, { name: 'key' }>, io: CliIo): Promise<ExitCode> {
  const view = await keyViewOf(command.key);
  answer(
    io,
    command.json,
    () => `${view.storageKey}\n`,
    () => view,
  );
  return EXIT.ok;
}
