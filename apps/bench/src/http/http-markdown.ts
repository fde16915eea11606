/** The HTTP results as a Markdown table for docs/benchmarks.md: one row per server, one column per scenario. */
import type { HttpCaseResult } from './http-report.js';
import type { TargetCheck } from './http-table.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function cell(result: HttpCaseResult | undefined): string {
  if (!result) return '-';
  const ratio = result.ratioToBare === undefined ? '' : ` (${result.ratioToBare.toFixed(2)}x)`;
  return `${integer.format(result.medianRps)}${ratio}`;
}

/** `| framework | server | new-keys | replays | duplicates |`, req/s with the ratio to bare in brackets. */
export function markdownTable(results: readonly HttpCaseResult[]): string {
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  const servers = [...new Map(results.map((r) => [r.server, r])).values()];
  const lines = [
    `| framework | server | ${scenarios.map((s) => `${s} req/s (vs bare)`).join(' | ')} |`,
    `| --- | --- | ${scenarios.map(() => '---:').join(' | ')} |`,
  ];
  for (const server of servers) {
    const row = scenarios.map((scenario) =>
      cell(results.find((r) => r.server === server.server && r.scenario === scenario)),
    );
    lines.push(`| ${server.group} | ${server.variant} | ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The targets as a Markdown list. */
export function markdownTargets(checks: readonly TargetCheck[]): string {
  return checks
    .map(
      (c) => `- ${c.met === undefined ? '' : c.met ? '**met** ' : '**missed** '}${c.target}: ${c.measured}`,
    )
    .join('\n');
}
