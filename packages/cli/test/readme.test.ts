/** The README documents the JSON fields and exit codes the CLI has: checked against a run, so they stay in step. */
import { readFileSync } from 'node:fs';
import { MemoryStore } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../src/index.js';
import { captureIo } from './support/capture-io.js';
import { order } from './support/service.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The backticked names of the first column of the table that follows `heading`. */
function tableFields(heading: string): string[] {
  const start = README.indexOf(heading);
  expect(start).toBeGreaterThan(-1);
  const lines = README.slice(start).split('\n').slice(1);
  const rows = lines.slice(lines.findIndex((line) => line.startsWith('|')));
  const table = rows.slice(
    0,
    rows.findIndex((line) => !line.startsWith('|')),
  );
  return table.slice(2).map((row) => /^\|\s*`([^`]+)`/.exec(row)?.[1] ?? '');
}

async function json(argv: string[], store: MemoryStore) {
  const { io, captured } = captureIo({ store });
  await runCli([...argv, '--json', '--store', 'redis'], io);
  return JSON.parse(captured.stdout);
}

describe('README', () => {
  it('documents every field of the record JSON, in order', async () => {
    const store = new MemoryStore();
    await order(store, { key: 'k' });
    const view = await json(['inspect', 'k'], store);
    expect(tableFields('`inspect` and `delete`, record found:')).toEqual(Object.keys(view));
    expect(Object.keys(view.response)).toEqual(['status', 'headers', 'bodyBytes', 'body', 'bodyEncoding']);
  });

  it('documents the other JSON objects', async () => {
    const store = new MemoryStore();
    const fields = (text: string) => [...text.matchAll(/"(\w+)"/g)].map((match) => match[1]);
    const listed = (prefix: string) => {
      const line = README.split('\n').find((l) => l.startsWith(prefix)) as string;
      return fields(line.slice(prefix.length));
    };
    expect(listed('`stats`: ')).toEqual(Object.keys(await json(['stats'], store)));
    expect(listed('No record: ')).toEqual(Object.keys(await json(['inspect', 'none'], store)));
    const { io, captured } = captureIo();
    await runCli(['key', 'k', '--json'], io);
    expect(listed('`key`: ')).toEqual(Object.keys(JSON.parse(captured.stdout)));
  });

  it('documents every exit code', () => {
    expect(tableFields('## Exit codes').map(Number)).toEqual(Object.values(EXIT));
  });
});
