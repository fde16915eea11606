/**
 * The HTTP results as an SVG bar chart: one panel per scenario, one row of bars per group (framework), one bar
 * per server, its length the ratio to the group's bare framework (1.0 = as fast as without idempo), with a dashed
 * line at 1.0 and the issue's targets. Plain SVG 1.1, no script, no external font.
 */
import type { HttpCaseResult } from './http-report.js';
import type { ScenarioName } from './scenarios.js';

const COLOURS: Record<string, string> = {
  memory: '#2b8a3e',
  redis: '#c92a2a',
  postgres: '#1864ab',
  mongo: '#5c940d',
};
const PEER_COLOUR = '#868e96';

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function colour(result: HttpCaseResult): string {
  return result.kind === 'peer' ? PEER_COLOUR : (COLOURS[result.variant] ?? '#495057');
}

/** The chart of `results` (bare servers are the 1.0 line, not bars). */
export function svgChart(results: readonly HttpCaseResult[], title: string): string {
  const scenarios = [...new Set(results.map((r) => r.scenario))] as ScenarioName[];
  const bars = results.filter((r) => r.kind !== 'bare' && r.ratioToBare !== undefined);
  const groups = [...new Set(bars.map((r) => r.group))];
  const barHeight = 11;
  const label = 230;
  const plot = 420;
  const maxRatio = Math.max(1.4, ...bars.map((r) => r.ratioToBare ?? 0));
  const x = (ratio: number) => label + (ratio / maxRatio) * plot;
  const parts: string[] = [];
  let y = 40;
  for (const scenario of scenarios) {
    parts.push(`<text x="10" y="${y}" font-weight="bold">${escapeXml(scenario)}</text>`);
    y += 10;
    const top = y;
    for (const group of groups) {
      const rows = bars.filter((r) => r.group === group && r.scenario === scenario);
      if (rows.length === 0) continue;
      for (const row of rows) {
        const ratio = row.ratioToBare ?? 0;
        parts.push(
          `<text x="${label - 6}" y="${y + barHeight - 2}" text-anchor="end">${escapeXml(`${group} · ${row.variant}`)}</text>`,
          `<rect x="${label}" y="${y}" width="${(x(ratio) - label).toFixed(1)}" height="${barHeight - 1}" fill="${colour(row)}"/>`,
          `<text x="${(x(ratio) + 4).toFixed(1)}" y="${y + barHeight - 2}">${ratio.toFixed(2)}</text>`,
        );
        y += barHeight;
      }
      y += 4;
    }
    parts.push(
      `<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${y}" stroke="#000" stroke-dasharray="4 3"/>`,
      `<text x="${x(1)}" y="${top - 6}" text-anchor="middle">bare = 1.0</text>`,
    );
    y += 24;
  }
  const width = label + plot + 60;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif" font-size="10">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
