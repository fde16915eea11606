/**
 * The idempo demo: runs every scenario against a fresh in-process application, prints one row per scenario as
 * it completes, and exits non-zero if any scenario misbehaved.
 */
import { createDemoEnvironment } from './environment.js';
import type { Outcome } from './outcome.js';
import { printHeader, printResult, printSummary } from './report.js';
import type { Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios.js';

async function runScenario(scenario: Scenario): Promise<Outcome> {
  try {
    return await scenario.run(createDemoEnvironment());
  } catch (error) {
    return { observed: 'threw', problems: [`the scenario threw: ${String(error)}`] };
  }
}

const started = performance.now();
let passed = 0;
let failed = 0;

console.log('idempo demo: the core engine over an in-process adapter, MemoryStore\n');
printHeader();
for (const scenario of SCENARIOS) {
  const scenarioStarted = performance.now();
  const outcome = await runScenario(scenario);
  printResult(scenario, outcome, performance.now() - scenarioStarted);
  if (outcome.problems.length === 0) passed++;
  else failed++;
}
printSummary(passed, failed, performance.now() - started);
if (failed > 0) process.exitCode = 1;
