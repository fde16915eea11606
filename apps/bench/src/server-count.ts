/**
 * Instructions per request of one benchmark server, counted by callgrind: the server runs under
 * `valgrind --tool=callgrind` with `node --single-threaded` (without it, the same build read two levels 30% apart,
 * as V8's helper threads came and went), is warmed up, then counted over a window of requests sent by autocannon
 * at a fixed number in flight. Counts do not depend on what else the machine is doing, where req/s does.
 *
 * ```sh
 * node dist/server-count.js --server fastify/bare --scenario new-keys
 * node dist/server-count.js --server fastify/memory --scenario replays --warmup 8000 --requests 4000
 * node dist/server-count.js --list
 * ```
 *
 * The report splits each request's instructions into the optimizing compiler's, the collector's and the rest, the
 * mutator (callgrind-split.ts says why). Compare mutators between builds or servers; the collector's work is
 * measured in a normal run (`node --trace-gc`). A bare Fastify window costs about two minutes, a Nest one about
 * four (valgrind runs node some fifty times slower). Needs valgrind (`callgrind_control`, `callgrind_annotate`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startServerProcess } from '@idempo/reference/process';
import { splitInstructions } from './callgrind-split.js';
import { storeReplayKeys } from './http/http-runner.js';
import { runLoad } from './http/load.js';
import { type ScenarioName, scenarioRun } from './http/scenarios.js';
import { type BenchServer, FRAMEWORKS, STORES, serversFor } from './http/servers.js';
import { settingsOrExit } from './settings-or-exit.js';

const USAGE = `usage: node dist/server-count.js --server ID [options]
  --server ID        a benchmark server (--list prints them), e.g. fastify/bare, fastify/memory
  --scenario NAME    new-keys (default) or replays
  --warmup N         requests before the window (default 8000)
  --requests N       requests in the window (default 4000)
  --connections N    requests in flight (default 8)
  --out FILE         also write the JSON report to FILE
  --list             the servers, one per line
  --help             this text`;

const ALL: readonly BenchServer[] = FRAMEWORKS.flatMap((framework) =>
  serversFor(
    framework,
    STORES.filter((store) => store !== 'mongo'),
    true,
  ),
);

interface Settings {
  readonly server: BenchServer;
  readonly scenario: ScenarioName;
  readonly warmup: number;
  readonly requests: number;
  readonly connections: number;
  readonly out: string | undefined;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const settings = settingsOrExit((argv): Settings | undefined => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      server: { type: 'string' },
      scenario: { type: 'string', default: 'new-keys' },
      warmup: { type: 'string' },
      requests: { type: 'string' },
      connections: { type: 'string' },
      out: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  if (values.list) {
    for (const server of ALL) console.log(server.id);
    process.exit(0);
  }
  const server = ALL.find((candidate) => candidate.id === values.server);
  if (!server) throw new Error(`--server must be one of: ${ALL.map((s) => s.id).join(', ')}`);
  const scenario = values.scenario;
  if (scenario !== 'new-keys' && scenario !== 'replays') throw new Error('--scenario is new-keys or replays');
  return {
    server,
    scenario,
    warmup: positive('warmup', values.warmup, 8000),
    requests: positive('requests', values.requests, 4000),
    connections: positive('connections', values.connections, 8),
    out: values.out,
  };
}, USAGE);

const { server } = settings;
const dir = mkdtempSync(join(tmpdir(), 'idempo-count-'));
const running = await startServerProcess(['--single-threaded', ...server.nodeArgs], {}, 600_000, [
  'valgrind',
  '--tool=callgrind',
  `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`,
]);
const { url } = running;
const pid = String(running.child.pid);
const run = Date.now().toString(36);
if (settings.scenario === 'replays') await storeReplayKeys(url, server.id);

async function send(amount: number, tag: string): Promise<Readonly<Record<string, number>>> {
  const { request } = scenarioRun(settings.scenario, `${run}-${tag}`, server.id);
  const result = await runLoad(url, request, {
    connections: settings.connections,
    durationMs: 0,
    amount,
    timeoutMs: 120_000,
  });
  if (result.errors > 0 || result.timeouts > 0)
    throw new Error(`${result.errors} errors, ${result.timeouts} timeouts`);
  return result.statuses;
}

await send(settings.warmup, 'warm');
execFileSync('callgrind_control', ['-z', pid], { stdio: 'ignore' });
const statuses = await send(settings.requests, 'count');
execFileSync('callgrind_control', ['-d', pid], { stdio: 'ignore' });
await running.stop();
const dump = readdirSync(dir).find((name) => name.startsWith(`callgrind.out.${pid}.`));
if (!dump) throw new Error(`no callgrind dump of the window in ${dir}`);
const annotated = execFileSync(
  'callgrind_annotate',
  ['--inclusive=yes', '--threshold=100', join(dir, dump)],
  {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  },
);
const split = splitInstructions(annotated, settings.requests);
const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
console.log(
  `${server.id} ${settings.scenario}: ${settings.requests} requests after ${settings.warmup}, ${JSON.stringify(statuses)}; ` +
    `per request: total ${k(split.total)}, compile ${k(split.compile)}, gc ${k(split.gc)}, mutator ${k(split.mutator)} (${join(dir, dump)})`,
);
if (settings.out !== undefined) {
  const report = {
    server: server.id,
    scenario: settings.scenario,
    warmup: settings.warmup,
    requests: settings.requests,
    connections: settings.connections,
    node: process.version,
    statuses,
    perRequest: split,
  };
  writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
}
