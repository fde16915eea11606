/**
 * The engine A/B: the keyed path (begin + commit on new keys, over MemoryStore) of two builds of @idempo/core, in
 * alternating rounds in one process (A B, then B A, ...), each run on a fresh engine and store after a GC. What
 * drifts during the run (the machine's load, the JIT, the heap) falls on both sides alike; the spread of the
 * per-round ratios B/A is the noise a difference must clear. Run with both sides the same to see that noise.
 */
import { writeFile } from 'node:fs/promises';
import { AB_USAGE, parseAbArgs } from './ab-args.js';
import { type CoreVariant, loadVariant } from './core-variant.js';
import { CAPTURED, NO_EVICTION, orderRequest } from './engine-fixtures.js';
import { gcBetweenReps } from './measure.js';
import { settingsOrExit } from './settings-or-exit.js';
import { summarize } from './stats.js';
import { uniqueKeys } from './unique-keys.js';
import type { Workload } from './workload.js';

/** begin + commit on new keys, on a fresh engine and MemoryStore of `variant`. */
function newKeys(variant: CoreVariant): Workload {
  const store = new variant.MemoryStore(NO_EVICTION);
  const engine = variant.createIdempotency<undefined>({ store });
  const keyOf = uniqueKeys(36);
  return {
    async run(index) {
      const decision = await engine.begin(orderRequest(keyOf(index)));
      if (decision.kind !== 'execute') throw new Error(`${variant.label}: a new key gave ${decision.kind}`);
      const outcome = await decision.commit(CAPTURED);
      if (outcome !== 'stored') throw new Error(`${variant.label}: commit gave ${outcome}`);
    },
    close: () => store.close(),
  };
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

/** One run's figures: wall-clock throughput, and the process's CPU time per operation (all its threads). */
interface Run {
  readonly opsPerSec: number;
  readonly cpuUsPerOp: number;
}

/** Runs `variant` with `concurrency` operations in flight for `durationMs`, on fresh state after a GC. */
async function once(variant: CoreVariant, concurrency: number, durationMs: number): Promise<Run> {
  collectGarbage?.();
  const workload = newKeys(variant);
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) await workload.run(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await workload.close();
  return { opsPerSec: next / (elapsed / 1000), cpuUsPerOp: (used.user + used.system) / next };
}

const settings = settingsOrExit(parseAbArgs, AB_USAGE);
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const log = (line: string) => process.stdout.write(`${line}\n`);
const [a, b] = [await loadVariant(settings.a), await loadVariant(settings.b)];
log(
  `engine A/B: A = ${a.label} (${a.source}), B = ${b.label} (${b.source}); ${settings.rounds} rounds of ` +
    `${settings.durationMs} ms per side after a ${settings.warmupMs} ms warm-up` +
    `${gcBetweenReps ? ', GC before every run' : ' (run with --expose-gc to collect before every run)'}`,
);

interface CaseReport {
  readonly concurrency: number;
  readonly a: readonly Run[];
  readonly b: readonly Run[];
  /** B/A of each round's ops/s. */
  readonly ratios: readonly number[];
  /** B/A of each round's CPU time per operation (below 1: B costs less). */
  readonly cpuRatios: readonly number[];
}

const cases: CaseReport[] = [];
for (const concurrency of settings.concurrencies) {
  if (settings.warmupMs > 0) {
    await once(a, concurrency, settings.warmupMs);
    await once(b, concurrency, settings.warmupMs);
  }
  const aRuns: Run[] = [];
  const bRuns: Run[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    // Alternate which side runs first, so that neither always inherits the other's garbage or warmth.
    const aFirst = round % 2 === 0;
    const first = await once(aFirst ? a : b, concurrency, settings.durationMs);
    const second = await once(aFirst ? b : a, concurrency, settings.durationMs);
    const [ra, rb] = aFirst ? [first, second] : [second, first];
    aRuns.push(ra);
    bRuns.push(rb);
    log(
      `  ${concurrency} in flight, round ${round + 1}: A ${integer.format(ra.opsPerSec)} ops/s ` +
        `${ra.cpuUsPerOp.toFixed(2)} us CPU/op, B ${integer.format(rb.opsPerSec)} ops/s ` +
        `${rb.cpuUsPerOp.toFixed(2)} us CPU/op`,
    );
  }
  cases.push({
    concurrency,
    a: aRuns,
    b: bRuns,
    ratios: aRuns.map((r, i) => (bRuns[i] as Run).opsPerSec / r.opsPerSec),
    cpuRatios: aRuns.map((r, i) => (bRuns[i] as Run).cpuUsPerOp / r.cpuUsPerOp),
  });
}

const range = (samples: readonly number[], format: (n: number) => string) => {
  const { median, min, max } = summarize(samples);
  return `${format(median)} (${format(min)}-${format(max)})`;
};
const ratio = (n: number) => n.toFixed(3);
const us = (n: number) => n.toFixed(2);
log(
  `\n| in flight | A ${a.label} ops/s | B ${b.label} ops/s | ops/s B/A per round | A us CPU/op | B us CPU/op | CPU/op B/A per round |`,
);
log('| --: | --: | --: | --: | --: | --: | --: |');
for (const c of cases) {
  const ops = (runs: readonly Run[]) =>
    range(
      runs.map((r) => r.opsPerSec),
      integer.format,
    );
  const cpu = (runs: readonly Run[]) =>
    range(
      runs.map((r) => r.cpuUsPerOp),
      us,
    );
  log(
    `| ${c.concurrency} | ${ops(c.a)} | ${ops(c.b)} | ${range(c.ratios, ratio)} | ${cpu(c.a)} | ${cpu(c.b)} | ` +
      `${range(c.cpuRatios, ratio)} |`,
  );
}
log('(median (min-max) over the rounds; a ratio is taken within one round)');

if (settings.out !== undefined) {
  const report = {
    startedAt: new Date().toISOString(),
    node: process.version,
    a: { label: a.label, source: a.source },
    b: { label: b.label, source: b.source },
    settings,
    gcBetweenRuns: gcBetweenReps,
    cases,
  };
  await writeFile(settings.out, `${JSON.stringify(report, null, 2)}\n`);
}
