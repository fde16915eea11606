import { describe, expect, it } from 'vitest';
import { groupResults, type HttpSample, sampleProblems } from '../src/http/http-report.js';
import { targetChecks } from '../src/http/http-table.js';
import { serversFor } from '../src/http/servers.js';
import { svgChart } from '../src/http/svg-chart.js';

const sample = (server: string, rep: number, rps: number, extra: Partial<HttpSample> = {}): HttpSample => ({
  server,
  scenario: 'new-keys',
  rep,
  rps,
  latencyP50Ms: 5,
  latencyP99Ms: 20,
  statuses: { '201': rps },
  errors: 0,
  timeouts: 0,
  executions: rps,
  keysIssued: rps,
  ...extra,
});

describe('HTTP bench report', () => {
  const servers = serversFor('fastify', ['memory'], false);

  it('takes the ratio to bare per repetition, then the median', () => {
    const samples = [
      sample('fastify/bare', 0, 1000),
      sample('fastify/memory', 0, 900),
      sample('fastify/bare', 1, 500),
      sample('fastify/memory', 1, 400),
      sample('fastify/bare', 2, 1000),
      sample('fastify/memory', 2, 850),
    ];
    const [bare, memory] = groupResults(servers, ['new-keys'], samples);
    expect(bare?.ratioToBare).toBe(1);
    expect(memory?.medianRps).toBe(850);
    expect(memory?.ratioToBare).toBeCloseTo(0.85);
    expect(memory?.minRatio).toBeCloseTo(0.8);
    expect(memory?.maxRatio).toBeCloseTo(0.9);
    const checks = targetChecks([bare, memory].filter((r) => r !== undefined));
    expect(checks).toEqual([
      { target: 'Fastify + memory, new keys >= 0.85x bare', measured: '0.85x', met: true },
    ]);
  });

  it('flags 5xx, unexpected statuses, replays that ran the handler and double executions', () => {
    expect(sampleProblems(sample('fastify/memory', 0, 10), 'idempo')).toEqual([]);
    expect(sampleProblems(sample('x', 0, 10, { statuses: { '201': 5, '503': 2 } }), 'idempo')).toEqual([
      '2 responses with status 503',
    ]);
    expect(sampleProblems(sample('x', 0, 10, { statuses: { '409': 2 } }), 'idempo')).toEqual([
      '2 responses with status 409',
    ]);
    expect(
      sampleProblems(sample('x', 0, 10, { scenario: 'duplicates', statuses: { '409': 2 } }), 'idempo'),
    ).toEqual([]);
    expect(sampleProblems(sample('x', 0, 10, { scenario: 'replays', executions: 1 }), 'idempo')).toEqual([
      '1 executions on replays',
    ]);
    expect(sampleProblems(sample('x', 0, 10, { executions: 11 }), 'idempo')).toEqual([
      '11 executions for 10 keys',
    ]);
    expect(sampleProblems(sample('x', 0, 10, { errors: 3 }), 'bare')).toEqual(['3 errors, 0 timeouts']);
  });

  it('draws one bar per idempo server and scenario, escaped, with the bare line', () => {
    const results = groupResults(
      servers,
      ['new-keys'],
      [sample('fastify/bare', 0, 100), sample('fastify/memory', 0, 80)],
    );
    const svg = svgChart(results, 'a <chart> & more');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('a &lt;chart&gt; &amp; more');
    expect(svg.match(/<rect x=/g)).toHaveLength(1);
    expect(svg).toContain('>0.80<');
    expect(svg).toContain('bare = 1.0');
  });
});

describe('HTTP bench Markdown', () => {
  it('one row per server, req/s and the ratio per scenario', async () => {
    const { markdownTable } = await import('../src/http/http-markdown.js');
    const results = groupResults(
      serversFor('fastify', ['memory'], false),
      ['new-keys'],
      [sample('fastify/bare', 0, 1000), sample('fastify/memory', 0, 870)],
    );
    expect(markdownTable(results).split('\n')).toEqual([
      '| framework | server | new-keys req/s (vs bare) |',
      '| --- | --- | ---: |',
      '| fastify | bare | 1,000 (1.00x) |',
      '| fastify | memory | 870 (0.87x) |',
    ]);
  });
});
