/** The command line of the HTTP benchmark. */
import { parseArgs } from 'node:util';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import { type BenchStore, FRAMEWORKS, type Framework, STORES } from './servers.js';

/** What to run and how to report it. */
export interface HttpBenchSettings {
  readonly frameworks: readonly Framework[];
  readonly stores: readonly BenchStore[];
  readonly scenarios: readonly ScenarioName[];
  /** Run the peer libraries too. */
  readonly peers: boolean;
  readonly reps: number;
  readonly durationMs: number;
  /** A new-keys run per server before the first measured one, discarded. */
  readonly warmupMs: number;
  readonly connections: number;
  /** Pin the server to CPU 0 and the load generator to the others. */
  readonly pin: boolean;
  readonly json: boolean;
  readonly out: string | undefined;
  /** Also write the chart of the ratios to this SVG file. */
  readonly svg: string | undefined;
  /** Also write the results table and the targets as Markdown to this file. */
  readonly markdown: string | undefined;
}

/** The usage text. */
export const HTTP_USAGE = `usage: node dist/http-main.js [options]
  --framework NAME   only this framework (repeatable; ${FRAMEWORKS.join(', ')})
  --store NAME       only this idempo store (repeatable; memory, redis, postgres; mongo when MONGODB_URL is set)
  --scenario NAME    only this scenario (repeatable; ${SCENARIOS.join(', ')})
  --no-peers         leave out @node-idempotency/nestjs and express-idempotency
  --reps N           interleaved repetitions (default 3)
  --duration-ms N    length of one measured run (default 3000)
  --warmup-ms N      discarded warm-up run per server (default 2000)
  --connections N    concurrent connections (default 32)
  --no-pin           do not pin the server to CPU 0 (taskset)
  --quick            smoke run: fastify only, 1 rep of 500 ms, 200 ms warm-up, 8 connections
  --json             print the JSON report on stdout, the tables on stderr
  --out FILE         also write the JSON report to FILE
  --svg FILE         also write the chart of the ratios to bare to FILE
  --markdown FILE    also write the results and targets as Markdown to FILE
  --help             this text`;

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return value;
}

function subset<T extends string>(name: string, picked: string[] | undefined, all: readonly T[]): T[] {
  if (picked === undefined) return [...all];
  for (const value of picked)
    if (!(all as readonly string[]).includes(value))
      throw new Error(`--${name} must be one of ${all.join(', ')}, got ${value}`);
  return all.filter((value) => picked.includes(value));
}

/** Parses `argv` (without node and the script). Throws on a bad option; `undefined` for --help. */
export function parseHttpBenchArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): HttpBenchSettings | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      framework: { type: 'string', multiple: true },
      store: { type: 'string', multiple: true },
      scenario: { type: 'string', multiple: true },
      'no-peers': { type: 'boolean', default: false },
      reps: { type: 'string' },
      'duration-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      connections: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      svg: { type: 'string' },
      markdown: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const quick = values.quick === true;
  const defaultStores = STORES.filter((store) => store !== 'mongo' || Boolean(env['MONGODB_URL']));
  return {
    frameworks: subset('framework', values.framework ?? (quick ? ['fastify'] : undefined), FRAMEWORKS),
    stores: subset('store', values.store, STORES).filter(
      (store) => values.store !== undefined || defaultStores.includes(store),
    ),
    scenarios: subset('scenario', values.scenario, SCENARIOS),
    peers: values['no-peers'] !== true && !quick,
    reps: count('reps', values.reps, quick ? 1 : 3, 1),
    durationMs: count('duration-ms', values['duration-ms'], quick ? 500 : 3000, 100),
    warmupMs: count('warmup-ms', values['warmup-ms'], quick ? 200 : 2000, 0),
    connections: count('connections', values.connections, quick ? 8 : 32, 1),
    pin: values['no-pin'] !== true,
    json: values.json === true,
    out: values.out,
    svg: values.svg,
    markdown: values.markdown,
  };
}
