/** The HTTP benchmark's report: every sample, and per server and scenario the medians and the ratio to bare. */
import { summarize } from '../stats.js';
import type { LoadResult } from './load.js';
import type { ScenarioName } from './scenarios.js';
import type { BenchServer } from './servers.js';

/** One timed run of one server on one scenario. */
export interface HttpSample extends LoadResult {
  readonly server: string;
  readonly scenario: ScenarioName;
  readonly rep: number;
  /** How many times the handler ran during the run (the server's GET /stats). */
  readonly executions: number;
  /** Distinct keys sent during the run (0 for replays: they were stored before). */
  readonly keysIssued: number;
}

/** A server on a scenario, over all repetitions. */
export interface HttpCaseResult {
  readonly group: string;
  readonly server: string;
  readonly variant: string;
  readonly kind: BenchServer['kind'];
  readonly scenario: ScenarioName;
  readonly medianRps: number;
  readonly minRps: number;
  readonly maxRps: number;
  readonly medianP50Ms: number;
  readonly medianP99Ms: number;
  /** Median over repetitions of (this server's rps / the group's bare rps in the same repetition). */
  readonly ratioToBare: number | undefined;
  readonly minRatio: number | undefined;
  readonly maxRatio: number | undefined;
  /** Handler executions per distinct key, summed over repetitions (1 is exactly once; replays: executions). */
  readonly executions: number;
  readonly keysIssued: number;
  readonly statuses: Readonly<Record<string, number>>;
}

function sumStatuses(samples: readonly HttpSample[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const sample of samples)
    for (const [status, count] of Object.entries(sample.statuses))
      total[status] = (total[status] ?? 0) + count;
  return total;
}

/** Reduces the samples of one group to one result per server and scenario. */
export function groupResults(
  servers: readonly BenchServer[],
  scenarios: readonly ScenarioName[],
  samples: readonly HttpSample[],
): HttpCaseResult[] {
  const bare = servers.find((s) => s.kind === 'bare');
  const results: HttpCaseResult[] = [];
  for (const scenario of scenarios) {
    for (const server of servers) {
      const mine = samples.filter((s) => s.server === server.id && s.scenario === scenario);
      if (mine.length === 0) continue;
      const rps = summarize(mine.map((s) => s.rps));
      const ratios: number[] = [];
      for (const sample of mine) {
        const base = samples.find(
          (s) => s.server === bare?.id && s.scenario === scenario && s.rep === sample.rep,
        );
        if (base && base.rps > 0) ratios.push(sample.rps / base.rps);
      }
      const ratio = ratios.length > 0 ? summarize(ratios) : undefined;
      results.push({
        group: server.group,
        server: server.id,
        variant: server.variant,
        kind: server.kind,
        scenario,
        medianRps: Math.round(rps.median),
        minRps: Math.round(rps.min),
        maxRps: Math.round(rps.max),
        medianP50Ms: summarize(mine.map((s) => s.latencyP50Ms)).median,
        medianP99Ms: summarize(mine.map((s) => s.latencyP99Ms)).median,
        ratioToBare: ratio?.median,
        minRatio: ratio?.min,
        maxRatio: ratio?.max,
        executions: mine.reduce((n, s) => n + s.executions, 0),
        keysIssued: mine.reduce((n, s) => n + s.keysIssued, 0),
        statuses: sumStatuses(mine),
      });
    }
  }
  return results;
}

/**
 * What is wrong with an idempo sample, if anything: connection errors, a 5xx, a status the scenario cannot
 * produce, a replay that ran the handler, or more executions than keys (a double execution).
 */
export function sampleProblems(sample: HttpSample, kind: BenchServer['kind']): string[] {
  const problems: string[] = [];
  if (sample.errors > 0 || sample.timeouts > 0)
    problems.push(`${sample.errors} errors, ${sample.timeouts} timeouts`);
  const allowed = kind !== 'idempo' ? null : sample.scenario === 'duplicates' ? ['201', '409'] : ['201'];
  for (const [status, count] of Object.entries(sample.statuses)) {
    if (status.startsWith('5') || (allowed && !allowed.includes(status)))
      problems.push(`${count} responses with status ${status}`);
  }
  if (kind === 'idempo' && sample.scenario === 'replays' && sample.executions > 0)
    problems.push(`${sample.executions} executions on replays`);
  if (kind === 'idempo' && sample.scenario !== 'replays' && sample.executions > sample.keysIssued)
    problems.push(`${sample.executions} executions for ${sample.keysIssued} keys`);
  return problems;
}
