/**
 * Where a keyed request's CPU time goes, per server: `node dist/breakdown.js [--framework NAME]... [--peers]`.
 *
 * Each server of a group (bare, idempo on each store, and with `--peers` the peer libraries) runs on CPU 0 under
 * `node --cpu-prof`, the load generator on the other CPUs. After the replay keys are stored and a new-keys
 * warm-up, each scenario runs for `--duration-ms`; only the samples taken inside that run count. Self time is
 * summed per bucket (src/profile/buckets.ts) and divided by the requests the run completed: CPU-busy µs per
 * request, idle excluded. The profiler's own cost is in every figure, so compare servers of one run, not
 * absolute rates. Writes the JSON (`--out`) and a Markdown table of each server's extra over its group's bare
 * (`--markdown`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startServerProcess } from '@idempo/reference/process';
import { storeReplayKeys } from '../http/http-runner.js';
import { runLoad } from '../http/load.js';
import { pinLoadGenerator, pinServer } from '../http/pin.js';
import { ORDER_PATH, SCENARIOS, type ScenarioName, scenarioRun } from '../http/scenarios.js';
import { type BenchStore, FRAMEWORKS, type Framework, STORES, serversFor } from '../http/servers.js';
import { type BreakdownResult, breakdownMarkdown } from './breakdown-table.js';
import { BUCKETS, type Bucket } from './buckets.js';
import { windowTimes } from './cpu-profile.js';

const USAGE = `usage: node dist/breakdown.js [--framework NAME]... [--store NAME]... [--scenario NAME]... [--peers]
       [--duration-ms 6000] [--warmup-ms 2000] [--connections 32] [--out FILE.json] [--markdown FILE.md]
       [--rate N]  every run at N requests per second (the same load for bare and idempo), not as fast as it goes
       [--top N]  also list each run's N functions with the most self time, and who called them
  frameworks: ${FRAMEWORKS.join(', ')} (default fastify, nest-express); stores: memory (default), redis, postgres
  scenarios: ${SCENARIOS.join(', ')} (default new-keys, replays)`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer, got ${text}`);
  return value;
}

function oneOf<T extends string>(
  name: string,
  values: readonly string[] | undefined,
  allowed: readonly T[],
  fallback: T[],
): T[] {
  if (!values) return fallback;
  for (const value of values)
    if (!(allowed as readonly string[]).includes(value))
      throw new Error(`unknown --${name} ${value}: ${allowed.join(', ')}`);
  return values as T[];
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      framework: { type: 'string', multiple: true },
      store: { type: 'string', multiple: true },
      scenario: { type: 'string', multiple: true },
      peers: { type: 'boolean', default: false },
      'duration-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      connections: { type: 'string' },
      out: { type: 'string' },
      markdown: { type: 'string' },
      top: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  return {
    help: values.help,
    frameworks: oneOf<Framework>('framework', values.framework, FRAMEWORKS, ['fastify', 'nest-express']),
    stores: oneOf<BenchStore>('store', values.store, STORES, ['memory']),
    scenarios: oneOf<ScenarioName>('scenario', values.scenario, SCENARIOS, ['new-keys', 'replays']),
    peers: values.peers,
    durationMs: positive('duration-ms', values['duration-ms'], 6000),
    warmupMs: positive('warmup-ms', values['warmup-ms'], 2000),
    connections: positive('connections', values.connections, 32),
    out: values.out,
    markdown: values.markdown,
    rate: values.rate === undefined ? undefined : positive('rate', values.rate, 0),
    top: values.top === undefined ? 0 : positive('top', values.top, 0),
  };
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function revision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  let settings: ReturnType<typeof parse>;
  try {
    settings = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  if (settings.help) {
    console.log(USAGE);
    return;
  }
  pinLoadGenerator();
  const results: BreakdownResult[] = [];
  const runId = `breakdown-${Date.now()}`;
  for (const framework of settings.frameworks) {
    for (const server of serversFor(framework, settings.stores, settings.peers)) {
      const dir = mkdtempSync(join(tmpdir(), 'idempo-breakdown-'));
      const running = await startServerProcess(
        ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...server.nodeArgs],
        {},
        30_000,
      );
      if (running.child.pid !== undefined) pinServer(running.child.pid);
      const windows: {
        scenario: ScenarioName;
        from: number;
        to: number;
        load: Awaited<ReturnType<typeof runLoad>>;
      }[] = [];
      try {
        await storeReplayKeys(running.url, server.id);
        const warm = scenarioRun('new-keys', `${runId}-warmup`, server.id);
        await runLoad(`${running.url}${ORDER_PATH}`, warm.request, {
          connections: settings.connections,
          durationMs: settings.warmupMs,
        });
        for (const scenario of settings.scenarios) {
          await pause(300);
          const run = scenarioRun(scenario, `${runId}-${scenario}`, server.id);
          const from = monotonicUs();
          const load = await runLoad(`${running.url}${ORDER_PATH}`, run.request, {
            connections: settings.connections,
            durationMs: settings.durationMs,
            ...(settings.rate === undefined ? {} : { rate: settings.rate }),
          });
          windows.push({ scenario, from, to: monotonicUs(), load });
        }
      } finally {
        await running.stop('SIGTERM');
      }
      const profile = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
      if (!profile) throw new Error(`${server.id}: no .cpuprofile was written in ${dir}`);
      for (const { scenario, from, to, load } of windows) {
        const times = windowTimes(join(dir, profile), from, to, settings.top);
        const requests = Object.values(load.statuses).reduce((sum, n) => sum + n, 0);
        const busy = BUCKETS.reduce((sum, bucket) => sum + times.us[bucket], 0);
        const us = Object.fromEntries(BUCKETS.map((b) => [b, round(times.us[b] / requests)])) as Record<
          Bucket,
          number
        >;
        results.push({
          group: server.group,
          server: server.variant,
          kind: server.kind,
          scenario,
          rps: Math.round(load.rps),
          requests,
          busyUsPerReq: round(busy / requests),
          us,
          statuses: load.statuses,
          ...(settings.top > 0
            ? { top: times.top.map((entry) => ({ ...entry, us: round(entry.us / requests) })) }
            : {}),
        });
        console.error(
          `${server.id} ${scenario}: ${Math.round(load.rps)} req/s, ${round(busy / requests)} busy µs/request`,
        );
        for (const entry of times.top)
          console.error(
            `  ${round(entry.us / requests)
              .toFixed(1)
              .padStart(6)} µs  ${entry.bucket.padEnd(9)} ${entry.fn}  <- ${entry.via}`,
          );
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const report = {
    method: `server on CPU 0 under node --cpu-prof, autocannon ${settings.connections} connections on the other CPUs, ${settings.warmupMs} ms new-keys warm-up, then ${settings.durationMs} ms per scenario; self time of the samples inside each run per completed request, by bucket (µs)`,
    revision: revision(),
    date: new Date().toISOString(),
    node: process.version,
    results,
  };
  if (settings.out) writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
  const table = breakdownMarkdown(results);
  if (settings.markdown) writeFileSync(settings.markdown, table);
  process.stdout.write(table);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
