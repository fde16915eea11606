/** The CLI as a function: arguments in, output written through `io`, exit code out. */
import { InvalidOptionsError } from '@idempo/core';
import { type Command, parseCommand, wantsJson } from './args.js';
import { UsageError } from './cli-errors.js';
import type { CliIo } from './cli-io.js';
import { deleteCommand } from './delete-command.js';
import { describeError, hintFor } from './describe-error.js';
import { describeTarget } from './describe-target.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { inspectCommand } from './inspect-command.js';
import { keyCommand } from './key-command.js';
import { maskSecrets } from './mask-url.js';
import { openStore } from './open-store.js';
import { printJson } from './output.js';
import { statsCommand } from './stats-command.js';
import type { OpenedStore } from './store-target.js';
import { type CommandName, helpText } from './usage.js';
import { cliVersion } from './version.js';

type StoreCommand = Extract<Command, { target: unknown }>;

/** What went wrong, and what to look at. */
interface Failure {
  readonly message: string;
  /** The store, for a store error. */
  readonly store?: string | undefined;
  readonly hint?: string | undefined;
}

/** Reports a failure: text on stderr, and with `--json` one `{ "error": … }` object on stdout. */
function fail(io: CliIo, json: boolean, exitCode: ExitCode, failure: Failure): ExitCode {
  const { message, store, hint } = failure;
  io.stderr(
    `idempo: ${message}\n${store === undefined ? '' : `  store: ${store}\n`}${hint === undefined ? '' : `  hint: ${hint}\n`}`,
  );
  if (json) printJson(io, { error: { exitCode, message, store: store ?? null, hint: hint ?? null } });
  return exitCode;
}

function usageFailure(
  io: CliIo,
  json: boolean,
  error: UsageError | InvalidOptionsError,
  name?: CommandName,
): ExitCode {
  const command = error instanceof UsageError ? (error.command ?? name) : name;
  const help = command === undefined ? 'idempo --help' : `idempo ${command} --help`;
  return fail(io, json, EXIT.usage, { message: error.message, hint: `see ${help}` });
}

async function runOnStore(command: StoreCommand, io: CliIo): Promise<ExitCode> {
  const now = io.now ?? (() => new Date());
  const open = io.openStore ?? openStore;
  let opened: OpenedStore | undefined;
  try {
    opened = await open(command.target);
    switch (command.name) {
      case 'inspect':
        return await inspectCommand(command, opened, io, now);
      case 'delete':
        return await deleteCommand(command, opened, io, now);
      default:
        return await statsCommand(command, opened, io, now);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidOptionsError) {
      return usageFailure(io, command.json, error, command.name);
    }
    const { url } = command.target;
    return fail(io, command.json, EXIT.storeError, {
      message: `store error: ${maskSecrets(describeError(error), url)}`,
      store: describeTarget(command.target),
      hint: hintFor(error),
    });
  } finally {
    await opened?.close();
  }
}

/**
 * Runs `idempo` with `argv` (the arguments after the command name) and resolves with its exit code: 0 found or
 * done, 1 no record, 2 usage error, 3 store unreachable or store error, 4 refused (see {@link EXIT}). Never
 * rejects; every connection it opened is closed when it resolves.
 *
 * @example
 * ```ts
 * const code = await runCli(['inspect', 'order-123', '--store', 'redis'], {
 *   stdout: (text) => process.stdout.write(text),
 *   stderr: (text) => process.stderr.write(text),
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const json = wantsJson(argv);
  let command: Command;
  try {
    command = parseCommand(argv, io.env ?? process.env);
  } catch (error) {
    if (error instanceof UsageError && error.command === undefined && argv.length === 0) {
      io.stderr(helpText());
      return EXIT.usage;
    }
    return usageFailure(io, json, error as UsageError);
  }
  switch (command.name) {
    case 'help':
      io.stdout(helpText(command.topic));
      return EXIT.ok;
    case 'version':
      io.stdout(`${cliVersion()}\n`);
      return EXIT.ok;
    case 'key':
      return keyCommand(command, io);
    default:
      return runOnStore(command, io);
  }
}
