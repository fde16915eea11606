/** The command line of the benchmark. */
import { parseArgs } from 'node:util';

/** What to run and how to report it. */
export interface BenchSettings {
  readonly reps: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly concurrencies: readonly number[];
  /** Only these targets (by name); empty for all. */
  readonly targets: readonly string[];
  /** Print the JSON report on stdout (the table goes to stderr). */
  readonly json: boolean;
  /** Also write the JSON report to this file. */
  readonly out: string | undefined;
}

/** The usage text. */
export const USAGE = `usage: node dist/main.js [options]
  --reps N           repetitions per case (default 5)
  --duration-ms N    length of one repetition (default 2000)
  --warmup-ms N      discarded warm-up run per case (default 500)
  --concurrency L    comma-separated operations in flight (default 1,64)
  --target NAME      only this store target (repeatable)
  --quick            smoke run of about a second: 1 rep of 100 ms, 20 ms warm-up
  --json             print the JSON report on stdout, the table on stderr
  --out FILE         also write the JSON report to FILE
  --help             this text`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
}

/** Parses `argv` (without node and the script). Throws on a bad option. Returns `undefined` for --help. */
export function parseBenchArgs(argv: readonly string[]): BenchSettings | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      reps: { type: 'string' },
      'duration-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      concurrency: { type: 'string' },
      target: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const quick = values.quick === true;
  const concurrencies = (values.concurrency ?? '1,64').split(',').map((c) => positive('concurrency', c, 1));
  if (concurrencies.some((c) => c < 1)) throw new Error('--concurrency values must be at least 1');
  const reps = positive('reps', values.reps, quick ? 1 : 5);
  if (reps < 1) throw new Error('--reps must be at least 1');
  return {
    reps,
    durationMs: positive('duration-ms', values['duration-ms'], quick ? 100 : 2000),
    warmupMs: positive('warmup-ms', values['warmup-ms'], quick ? 20 : 500),
    concurrencies,
    targets: values.target ?? [],
    json: values.json === true,
    out: values.out,
  };
}
