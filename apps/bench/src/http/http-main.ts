/**
 * The HTTP benchmark: every framework of the reference app, bare and with idempo over each store, and the peer
 * libraries, driven by autocannon over real HTTP on three scenarios (new keys, replays, concurrent duplicates),
 * interleaved and repeated. Prints a table per run and the issue's targets; exits 1 if an idempo server
 * misbehaved (a 5xx, a replay that ran the handler, more executions than keys).
 */

import { writeFile } from 'node:fs/promises';
import { arch, cpus, platform } from 'node:os';
import { settingsOrExit } from '../settings-or-exit.js';
import { HTTP_USAGE, parseHttpBenchArgs } from './http-args.js';
import { markdownTable, markdownTargets } from './http-markdown.js';
import { groupResults, type HttpCaseResult, type HttpSample, sampleProblems } from './http-report.js';
import { runGroup } from './http-runner.js';
import { httpResultsTable, targetChecks, targetLines } from './http-table.js';
import { pinLoadGenerator } from './pin.js';
import { serversFor } from './servers.js';
import { svgChart } from './svg-chart.js';

const settings = settingsOrExit((argv) => parseHttpBenchArgs(argv), HTTP_USAGE);
const out = settings.json ? process.stderr : process.stdout;
const log = (line: string) => out.write(`${line}\n`);
const pinned = settings.pin && pinLoadGenerator();
const runId = Date.now().toString(36);
const startedAt = new Date().toISOString();
log(
  `idempo HTTP bench: ${settings.reps} x ${settings.durationMs} ms per server and scenario, ${settings.connections} connections, ` +
    `${pinned ? 'server on CPU 0, load generator on the others' : 'no CPU pinning'}\n`,
);

const groups = settings.frameworks.map((framework) => serversFor(framework, settings.stores, settings.peers));

const results: HttpCaseResult[] = [];
const samples: HttpSample[] = [];
const problems: string[] = [];
for (const servers of groups) {
  const group = await runGroup(servers, settings, runId, log);
  samples.push(...group.samples);
  results.push(...groupResults(group.servers, settings.scenarios, group.samples));
  for (const sample of group.samples) {
    const server = group.servers.find((s) => s.id === sample.server);
    if (server?.kind !== 'idempo') continue;
    for (const problem of sampleProblems(sample, server.kind))
      problems.push(`${sample.server} ${sample.scenario} rep ${sample.rep + 1}: ${problem}`);
  }
}

const cpuList = cpus();
const checks = targetChecks(results);
const report = {
  startedAt,
  environment: {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    pinned,
  },
  settings,
  results,
  targets: checks,
  problems,
  samples,
};
log(`\n${httpResultsTable(results)}\n\n${targetLines(checks)}`);
if (problems.length > 0) log(`\nidempo misbehaved:\n${problems.map((p) => `  ${p}`).join('\n')}`);
const json = JSON.stringify(report, null, 2);
if (settings.json) process.stdout.write(`${json}\n`);
if (settings.out !== undefined) await writeFile(settings.out, `${json}\n`);
if (settings.markdown !== undefined) {
  await writeFile(settings.markdown, `${markdownTable(results)}\n\n${markdownTargets(checks)}\n`);
}
if (settings.svg !== undefined) {
  const title = `idempo: requests/s relative to the bare framework (${process.version}, ${cpuList.length} CPUs, ${startedAt.slice(0, 10)})`;
  await writeFile(settings.svg, svgChart(results, title));
}
process.exitCode = problems.length > 0 ? 1 : 0;
