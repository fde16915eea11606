/** `idempo stats`: the live records of the store, counted by state. */
import type { Command } from './args.js';
import type { CliIo } from './cli-io.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { table } from './format-record.js';
import { answer } from './output.js';
import { operation } from './read-record.js';
import type { OpenedStore } from './store-target.js';

/** Prints the counts of the store's `stats()`. */
export async function statsCommand(
  command: Extract<Command, { name: 'stats' }>,
  opened: OpenedStore,
  io: CliIo,
  now: () => Date,
): Promise<ExitCode> {
  const stats = await operation(opened, 'stats')();
  const total = stats.inFlight + stats.leaseExpired + stats.completed;
  const width = String(total).length;
  const count = (n: number) => String(n).padStart(width);
  answer(
    io,
    command.json,
    () =>
      table([
        ['store', opened.description],
        ['in flight', `${count(stats.inFlight)}  lease running: a retry gets 409`],
        ['lease ended', `${count(stats.leaseExpired)}  handler presumed dead: the next retry takes over`],
        ['completed', `${count(stats.completed)}  a retry gets the stored response`],
        ['total', count(total)],
      ]),
    () => ({
      store: opened.description,
      inFlight: stats.inFlight,
      leaseExpired: stats.leaseExpired,
      completed: stats.completed,
      total,
      checkedAt: now(),
    }),
  );
  return EXIT.ok;
}
