/** Prints the scenario table as rows arrive, with padded columns, and the summary line. */
import type { Outcome } from './outcome.js';
import type { Scenario } from './scenario.js';

const COLUMNS = [
  { title: 'scenario', width: 38 },
  { title: 'expected', width: 54 },
  { title: 'observed', width: 70 },
  { title: 'result', width: 6 },
  { title: 'ms', width: 5 },
] as const;

function row(cells: readonly string[]): string {
  return cells
    .map((cell, i) => {
      const width = COLUMNS[i]?.width ?? cell.length;
      return i === cells.length - 1 ? cell.padStart(width) : cell.padEnd(width);
    })
    .join('  ')
    .trimEnd();
}

/** Prints the table header. */
export function printHeader(): void {
  console.log(row(COLUMNS.map((c) => c.title)));
  console.log(row(COLUMNS.map((c) => '-'.repeat(c.width))));
}

/** Prints one scenario's row and, when it failed, why. */
export function printResult(scenario: Scenario, outcome: Outcome, elapsedMs: number): void {
  const passed = outcome.problems.length === 0;
  console.log(
    row([scenario.name, scenario.expected, outcome.observed, passed ? 'PASS' : 'FAIL', elapsedMs.toFixed(0)]),
  );
  for (const problem of outcome.problems) console.log(`    ! ${problem}`);
}

/** Prints the summary line. */
export function printSummary(passed: number, failed: number, elapsedMs: number): void {
  const total = passed + failed;
  console.log('');
  console.log(`${total} scenarios: ${passed} passed, ${failed} failed (${(elapsedMs / 1000).toFixed(2)} s)`);
}
