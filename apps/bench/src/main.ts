/**
 * The idempo benchmark: for every store target, the store operation (reserve + complete), the engine on new
 * keys (begin + commit) and the engine on a replayed key (begin), sequential and concurrent, several timed
 * repetitions each. Prints a table (and, with --json, the JSON report).
 */

import { writeFile } from 'node:fs/promises';
import { arch, cpus, platform } from 'node:os';
import { parseBenchArgs, USAGE } from './bench-args.js';
import { benchCases } from './bench-cases.js';
import { type BenchReport, type CaseResult, withFloorRatios } from './bench-report.js';
import { gcBetweenReps, measureRounds } from './measure.js';
import { resultsTable } from './results-table.js';
import { settingsOrExit } from './settings-or-exit.js';
import { summarize } from './stats.js';
import { STORE_TARGETS } from './targets.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const settings = settingsOrExit((argv) => parseBenchArgs(argv), USAGE);
/** Progress and, with --json, the table go to stderr so that stdout carries only the JSON. */
const out = settings.json ? process.stderr : process.stdout;
const log = (line: string) => out.write(`${line}\n`);

const named = STORE_TARGETS.filter((t) => settings.targets.length === 0 || settings.targets.includes(t.name));
if (named.length === 0) throw new Error(`no store target named ${settings.targets.join(', ')}`);
const targets = [];
for (const target of named) {
  if (!target.available || (await target.available())) targets.push(target);
  else log(`  ${target.name}: skipped, its server does not answer (see REDIS_URL / DATABASE_URL)`);
}

const startedAt = new Date().toISOString();
log(
  `idempo bench: ${settings.reps} x ${settings.durationMs} ms per case after a ${settings.warmupMs} ms warm-up` +
    `${gcBetweenReps ? ', GC between repetitions' : ' (run with --expose-gc to collect between repetitions)'}\n`,
);

const results: CaseResult[] = [];
for (const target of targets) {
  const cases = benchCases(target, settings.concurrencies);
  // The cases of one concurrency run in interleaved rounds: a store and its floor are measured seconds apart.
  for (const concurrency of settings.concurrencies) {
    const round = cases.filter((benchCase) => benchCase.concurrency === concurrency);
    if (round.length === 0) continue;
    log(`  ${target.name}, ${concurrency} in flight: ${round.map((c) => c.operation).join(', ')} in rounds`);
    const samples = await measureRounds(
      round.map((benchCase) => benchCase.factory),
      {
        concurrency,
        durationMs: settings.durationMs,
        reps: settings.reps,
        warmupMs: settings.warmupMs,
        onRep: (index, rep, opsPerSecond) =>
          log(`    round ${rep}: ${round[index]?.operation} ${integer.format(opsPerSecond)} ops/s`),
      },
    );
    round.forEach((benchCase, index) => {
      const caseSamples = samples[index] as number[];
      const { median, min, max } = summarize(caseSamples);
      results.push({
        target: benchCase.target,
        kind: benchCase.kind,
        operation: benchCase.operation,
        concurrency: benchCase.concurrency,
        medianOpsPerSec: Math.round(median),
        minOpsPerSec: Math.round(min),
        maxOpsPerSec: Math.round(max),
        samplesOpsPerSec: caseSamples.map(Math.round),
      });
    });
  }
}

const cpuList = cpus();
const report: BenchReport = {
  startedAt,
  environment: {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
  },
  settings: {
    reps: settings.reps,
    durationMs: settings.durationMs,
    warmupMs: settings.warmupMs,
    concurrencies: settings.concurrencies,
    gcBetweenReps,
  },
  results: withFloorRatios(results),
};

log('');
log(resultsTable(report.results));
const json = JSON.stringify(report, null, 2);
if (settings.json) process.stdout.write(`${json}\n`);
if (settings.out !== undefined) await writeFile(settings.out, `${json}\n`);
