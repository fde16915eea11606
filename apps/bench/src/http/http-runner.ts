/**
 * Measures one group of servers (a framework: bare, idempo on each store, its peers): starts them all, stores
 * the replay keys, warms each up, then runs every scenario `reps` times with the servers interleaved (the order
 * rotated each repetition), so that drift on the machine spreads over all of them and the ratios are taken
 * between runs made minutes, not hours, apart.
 */
import { type ReferenceProcess, startServerProcess } from '@idempo/reference/process';
import type { HttpBenchSettings } from './http-args.js';
import type { HttpSample } from './http-report.js';
import { runLoad } from './load.js';
import { pinServer } from './pin.js';
import { ORDER_BODY, ORDER_PATH, replayKeys, type ScenarioName, scenarioRun } from './scenarios.js';
import type { BenchServer } from './servers.js';

type Log = (text: string) => void;

async function executions(url: string): Promise<number> {
  const response = await fetch(`${url}/stats`);
  const stats = (await response.json()) as { executions?: Record<string, number> };
  return stats.executions?.['POST /orders'] ?? 0;
}

/** Sends every replay key once, so that the replays scenario only replays. */
export async function storeReplayKeys(url: string, serverId: string): Promise<void> {
  for (const key of replayKeys(serverId)) {
    const response = await fetch(`${url}${ORDER_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench', 'idempotency-key': key },
      body: ORDER_BODY,
    });
    await response.arrayBuffer();
    if (response.status !== 201)
      throw new Error(`${serverId}: storing replay key ${key} answered ${response.status}`);
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = by % items.length;
  return [...items.slice(n), ...items.slice(0, n)];
}

/** Starts the servers that can start (a store that does not answer skips its server, with a line in the log). */
async function startAll(servers: readonly BenchServer[], pin: boolean, log: Log) {
  const running: { server: BenchServer; process: ReferenceProcess }[] = [];
  for (const server of servers) {
    try {
      const process = await startServerProcess(server.nodeArgs, {}, 30_000);
      if (pin && process.child.pid !== undefined) pinServer(process.child.pid);
      running.push({ server, process });
    } catch (error) {
      log(`  ${server.id}: skipped, it did not start (${String(error).split('\n')[0]})`);
    }
  }
  return running;
}

/** Runs the group and returns its samples. */
export async function runGroup(
  servers: readonly BenchServer[],
  settings: HttpBenchSettings,
  runId: string,
  log: Log,
): Promise<{ servers: BenchServer[]; samples: HttpSample[] }> {
  const running = await startAll(servers, settings.pin, log);
  const samples: HttpSample[] = [];
  try {
    for (const { server, process } of running) {
      await storeReplayKeys(process.url, server.id);
      if (settings.warmupMs > 0) {
        const warm = scenarioRun('new-keys', `${runId}-warmup`, server.id);
        await runLoad(`${process.url}${ORDER_PATH}`, warm.request, {
          connections: settings.connections,
          durationMs: settings.warmupMs,
        });
      }
    }
    for (let rep = 0; rep < settings.reps; rep++) {
      for (const scenario of settings.scenarios as ScenarioName[]) {
        const line: string[] = [];
        for (const { server, process } of rotate(running, rep)) {
          const run = scenarioRun(scenario, `${runId}-${rep}`, server.id);
          const before = await executions(process.url);
          const result = await runLoad(`${process.url}${ORDER_PATH}`, run.request, {
            connections: settings.connections,
            durationMs: settings.durationMs,
          });
          // Requests still in flight when the run ended finish on the server: let them, then count.
          await new Promise((resolve) => setTimeout(resolve, 100));
          const after = await executions(process.url);
          samples.push({
            ...result,
            server: server.id,
            scenario,
            rep,
            executions: after - before,
            keysIssued: run.keysIssued(),
          });
          line.push(`${server.variant} ${Math.round(result.rps)}`);
        }
        log(`  ${running[0]?.server.group} ${scenario} rep ${rep + 1}: ${line.join(', ')} req/s`);
      }
    }
  } finally {
    for (const { process } of running) await process.stop('SIGTERM');
  }
  return { servers: running.map((r) => r.server), samples };
}
