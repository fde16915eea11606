/** The HTTP benchmark's results as text: one table per scenario, and the targets of the benchmarks issue. */
import type { HttpCaseResult } from './http-report.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ratio = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(2)}x`);

function table(rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  return [line(header ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Executions per key: `1.00` is exactly once; replays show the executions themselves (0 expected). */
export function executionsCell(result: HttpCaseResult): string {
  if (result.scenario === 'replays') return `${result.executions} runs`;
  if (result.kind === 'bare' || result.keysIssued === 0) return '-';
  return `${(result.executions / result.keysIssued).toFixed(2)}/key`;
}

/** One row per server and scenario. */
export function httpResultsTable(results: readonly HttpCaseResult[]): string {
  const rows = [
    ['group', 'server', 'scenario', 'req/s', 'min-max', 'p50 ms', 'p99 ms', 'vs bare', 'range', 'handler'],
    ...results.map((r) => [
      r.group,
      r.variant,
      r.scenario,
      integer.format(r.medianRps),
      `${integer.format(r.minRps)}-${integer.format(r.maxRps)}`,
      String(r.medianP50Ms),
      String(r.medianP99Ms),
      ratio(r.ratioToBare),
      r.minRatio === undefined ? '-' : `${r.minRatio.toFixed(2)}-${(r.maxRatio ?? 0).toFixed(2)}`,
      executionsCell(r),
    ]),
  ];
  return table(rows, [false, false, false, true, true, true, true, true, true, true]);
}

/** A target of the benchmarks issue, checked against a run. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function find(results: readonly HttpCaseResult[], server: string, scenario: string) {
  return results.find((r) => r.server === server && r.scenario === scenario);
}

/** The ratio targets, and idempo against the peers, for what the run measured. */
export function targetChecks(results: readonly HttpCaseResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const atLeast = (target: string, result: HttpCaseResult | undefined, floor: number) => {
    if (result?.ratioToBare === undefined) return;
    checks.push({ target, measured: ratio(result.ratioToBare), met: result.ratioToBare >= floor });
  };
  atLeast('Fastify + memory, new keys >= 0.85x bare', find(results, 'fastify/memory', 'new-keys'), 0.85);
  for (const nest of ['nest-express', 'nest-fastify'])
    atLeast(`${nest} + redis, new keys >= 0.90x bare`, find(results, `${nest}/redis`, 'new-keys'), 0.9);
  for (const r of results.filter((r) => r.kind === 'idempo' && r.scenario === 'replays'))
    atLeast(`${r.group} + ${r.variant}, replays >= 0.95x bare`, r, 0.95);
  for (const scenario of ['new-keys', 'replays', 'duplicates']) {
    for (const store of ['memory', 'redis']) {
      // Both on the same app (nest-peer-app.ts) over the same bare: issue 17's target is idempo ahead.
      const ours = find(results, `nest-express-peer-app/nest-idempo-${store}`, scenario);
      const peer = find(results, `nest-express-peer-app/nest-node-idempotency-${store}`, scenario);
      if (ours && peer && peer.medianRps > 0)
        checks.push({
          target: `idempo ahead of @node-idempotency/nestjs, Nest (Express) + ${store}, ${scenario}`,
          measured: `${ratio(ours.medianRps / peer.medianRps)} (idempo ${ratio(ours.ratioToBare)} of bare, peer ${ratio(peer.ratioToBare)})`,
          met: ours.medianRps > peer.medianRps,
        });
    }
    const ours = find(results, 'express/memory', scenario);
    const peer = find(results, 'express/express-idempotency', scenario);
    if (ours && peer && peer.medianRps > 0)
      checks.push({
        target: `idempo / express-idempotency, Express + memory, ${scenario}`,
        measured: `${ratio(ours.medianRps / peer.medianRps)} (idempo ${ratio(ours.ratioToBare)} of bare, peer ${ratio(peer.ratioToBare)})`,
        met: undefined,
      });
  }
  return checks;
}

/** The checks as lines. */
export function targetLines(checks: readonly TargetCheck[]): string {
  return checks
    .map((c) => `${c.met === undefined ? '  ' : c.met ? 'ok' : '--'} ${c.target}: ${c.measured}`)
    .join('\n');
}
