/** Writing a command's answer: text for a person, or one JSON object with `--json`. */
import type { CliIo } from './cli-io.js';

/** Writes `value` as one JSON object (Dates as ISO 8601 strings), pretty-printed, on stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes `text` on stdout, or `value` as JSON when `json`. */
export function answer(io: CliIo, json: boolean, text: () => string, value: () => unknown): void {
  if (json) printJson(io, value());
  else io.stdout(text());
}
