/**
 * The idempo demo: starts the reference app (apps/reference) on the chosen framework and store, plays the
 * scenarios over real HTTP, prints one row per scenario as it completes, stops the app, and exits non-zero if
 * any scenario misbehaved.
 *
 *   pnpm demo [-- --framework express|fastify|hono|koa|nest-express|nest-fastify] [--store memory|redis|postgres|mongo]
 */

import { startReference } from '@idempo/reference/process';
import { createDemoEnvironment } from './environment.js';
import type { Outcome } from './outcome.js';
import { printHeader, printResult, printSummary } from './report.js';
import type { Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios.js';

function option(name: string, fallback: string): string {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const i = args.indexOf(`--${name}`);
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
}

async function runScenario(url: string, scenario: Scenario): Promise<Outcome> {
  try {
    return await scenario.run(await createDemoEnvironment(url));
  } catch (error) {
    return { observed: 'threw', problems: [`the scenario threw: ${String(error)}`] };
  }
}

const framework = option('framework', 'fastify');
const store = option('store', 'memory');
const started = performance.now();
console.log(`idempo demo: the reference app on ${framework}, ${store} store, over real HTTP`);
process.stdout.write('starting the app... ');
const app = await startReference(['--framework', framework, '--store', store, '--port', '0']).catch(
  (error: unknown) => {
    console.log('failed');
    console.error(String(error instanceof Error ? error.message : error));
    process.exit(1);
  },
);
console.log(`${app.url} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);

let passed = 0;
let failed = 0;
printHeader();
try {
  for (const scenario of SCENARIOS) {
    const scenarioStarted = performance.now();
    const outcome = await runScenario(app.url, scenario);
    printResult(scenario, outcome, performance.now() - scenarioStarted);
    if (outcome.problems.length === 0) passed++;
    else failed++;
  }
} finally {
  const code = await app.stop();
  if (code !== 0) {
    console.error(`the app exited with ${code} on SIGTERM\n${app.stderr()}`);
    failed++;
  }
}
printSummary(passed, failed, performance.now() - started);
if (failed > 0) process.exitCode = 1;
