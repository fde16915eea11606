/** The command line of the engine A/B benchmark (src/engine-ab.ts). */
import { parseArgs } from 'node:util';

/** What to compare and how long. */
export interface AbSettings {
  /** `label=source` of each side (see `loadVariant`). */
  readonly a: string;
  readonly b: string;
  readonly rounds: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly concurrencies: readonly number[];
  /** Also write the JSON report to this file. */
  readonly out: string | undefined;
}

/** The usage text. */
export const AB_USAGE = `usage: node --expose-gc dist/engine-ab.js [options]
A/B of the engine's keyed path (begin + commit on new keys, MemoryStore) between two builds of @idempo/core,
in alternating rounds (A B, B A, ...) in one process.
  --a LABEL=SOURCE   side A (default base=rev:HEAD)
  --b LABEL=SOURCE   side B (default work=src:packages/core/src, the working tree)
                     SOURCE: rev:<git revision> | src:<dir of core's sources> | module:<built ESM file>
  --rounds N         rounds; each runs A and B once (default 10)
  --duration-ms N    length of one run (default 1000)
  --warmup-ms N      discarded warm-up run of each side per concurrency (default 1000)
  --concurrency L    comma-separated operations in flight (default 1,64,256)
  --quick            smoke run: 2 rounds of 100 ms, 50 ms warm-up
  --out FILE         also write the JSON report (every run) to FILE
  --help             this text`;

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return value;
}

/** Parses `argv` (without node and the script). Throws on a bad option. Returns `undefined` for --help. */
export function parseAbArgs(argv: readonly string[]): AbSettings | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      rounds: { type: 'string' },
      'duration-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      concurrency: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const quick = values.quick === true;
  return {
    a: values.a ?? 'base=rev:HEAD',
    b: values.b ?? 'work=src:packages/core/src',
    rounds: count('rounds', values.rounds, quick ? 2 : 10, 1),
    durationMs: count('duration-ms', values['duration-ms'], quick ? 100 : 1000, 1),
    warmupMs: count('warmup-ms', values['warmup-ms'], quick ? 50 : 1000, 0),
    concurrencies: (values.concurrency ?? '1,64,256').split(',').map((c) => count('concurrency', c, 1, 1)),
    out: values.out,
  };
}
