#!/usr/bin/env node
/** The `idempo` command: runs {@link runCli} on the process's arguments and exits with its code. */
import { runCli } from './run-cli.js';

// A reader that goes away (`idempo stats | head -1`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
// A driver's error that escapes every handler is reported as one line, never as a stack trace.
const unexpected = (error: unknown) => {
  process.stderr.write(
    `idempo: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(3);
};
process.on('uncaughtException', unexpected);
process.on('unhandledRejection', unexpected);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
