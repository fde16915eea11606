/** Formats results as a padded text table. */
import type { CaseResult } from './bench-report.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly cell: (result: CaseResult) => string;
}

const COLUMNS: readonly Column[] = [
  { title: 'store', align: 'left', cell: (r) => r.target },
  { title: 'operation', align: 'left', cell: (r) => r.operation },
  { title: 'in flight', align: 'right', cell: (r) => String(r.concurrency) },
  { title: 'median ops/s', align: 'right', cell: (r) => integer.format(r.medianOpsPerSec) },
  { title: 'min ops/s', align: 'right', cell: (r) => integer.format(r.minOpsPerSec) },
  { title: 'max ops/s', align: 'right', cell: (r) => integer.format(r.maxOpsPerSec) },
  {
    title: 'spread',
    align: 'right',
    cell: (r) => `${(((r.maxOpsPerSec - r.minOpsPerSec) / r.medianOpsPerSec) * 100).toFixed(1)}%`,
  },
  {
    // Mean time from start to end of one operation (Little's law: in flight / throughput).
    title: 'latency us',
    align: 'right',
    cell: (r) => ((r.concurrency / r.medianOpsPerSec) * 1e6).toFixed(1),
  },
  {
    title: 'vs floor',
    align: 'right',
    cell: (r) => (r.floorRatio === undefined ? '-' : `${r.floorRatio.toFixed(2)}x`),
  },
];

/** The table, one line per result, with a header and a rule. */
export function resultsTable(results: readonly CaseResult[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...results.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) =>
        COLUMNS[i]?.align === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  return [line(header ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
