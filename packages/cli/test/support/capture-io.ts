/** A {@link CliIo} that keeps what the CLI writes, for in-process runs of `runCli`. */
import type { IdempotencyStore } from '@idempo/core';
import type { CliIo } from '../../src/index.js';

/** What one run wrote. */
export interface Captured {
  stdout: string;
  stderr: string;
}

/** An io writing into `captured`, with the store given (when any) opened for every command. */
export function captureIo(
  options: { store?: IdempotencyStore; env?: Record<string, string | undefined>; now?: () => Date } = {},
): { io: CliIo; captured: Captured; closed: () => number } {
  const captured: Captured = { stdout: '', stderr: '' };
  let closes = 0;
  const { store } = options;
  const io: CliIo = {
    stdout: (text) => {
      captured.stdout += text;
    },
    stderr: (text) => {
      captured.stderr += text;
    },
    env: options.env ?? {},
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(store === undefined
      ? {}
      : {
          openStore: async () => ({
            store,
            description: 'memory (test)',
            locate: (storageKey: string) => `memory key ${storageKey}`,
            close: async () => {
              closes++;
            },
          }),
        }),
  };
  return { io, captured, closed: () => closes };
}
