/** The breakdown's Markdown table: each server's CPU µs per request over its group's bare, by bucket. */
import type { ScenarioName } from '../http/scenarios.js';
import type { Bucket } from './buckets.js';
import type { TopFunction } from './cpu-profile.js';

/** One server and scenario, measured. */
export interface BreakdownResult {
  readonly group: string;
  readonly server: string;
  readonly kind: string;
  readonly scenario: ScenarioName;
  readonly rps: number;
  readonly requests: number;
  readonly busyUsPerReq: number;
  readonly us: Readonly<Record<Bucket, number>>;
  readonly statuses: Readonly<Record<string, number>>;
  /** With `--top N`: the functions with the most self time, µs per request. */
  readonly top?: readonly TopFunction[];
}

const OUTSIDE: readonly Bucket[] = ['framework', 'runtime', 'app'];
const OWN: readonly Bucket[] = ['engine', 'store', 'core-node', 'adapter', 'peer'];

const fixed = (value: number): string => value.toFixed(1);
const sum = (result: BreakdownResult, buckets: readonly Bucket[]): number =>
  buckets.reduce((total, bucket) => total + result.us[bucket], 0);

/** One row per server that is not bare, with the bare of its group and scenario beside it. */
export function breakdownMarkdown(results: readonly BreakdownResult[]): string {
  const header = [
    'group',
    'scenario',
    'server',
    'bare busy µs',
    'busy µs',
    'extra µs',
    'framework + runtime + app extra',
    'GC extra',
    ...OWN,
    'req/s bare / server',
  ];
  const rows: string[][] = [];
  for (const result of results) {
    if (result.kind === 'bare') continue;
    const bare = results.find(
      (other) => other.kind === 'bare' && other.group === result.group && other.scenario === result.scenario,
    );
    if (!bare) continue;
    rows.push([
      result.group,
      result.scenario,
      result.server,
      fixed(bare.busyUsPerReq),
      fixed(result.busyUsPerReq),
      fixed(result.busyUsPerReq - bare.busyUsPerReq),
      fixed(sum(result, OUTSIDE) - sum(bare, OUTSIDE)),
      fixed(result.us.gc - bare.us.gc),
      ...OWN.map((bucket) => fixed(result.us[bucket])),
      `${bare.rps.toLocaleString('en-US')} / ${result.rps.toLocaleString('en-US')}`,
    ]);
  }
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return `${[line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')}\n`;
}
