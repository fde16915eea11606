/**
 * Each adapter's README states the same behaviour table (issue 16 item 2): the block between the
 * `behaviour-table` markers is identical in all four, and every behaviour number it cites is one the adapterSuite
 * or the core tests prove (it exists in docs/behaviour.md; docs-references.test.ts checks the numbers resolve).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const ADAPTERS = ['express', 'fastify', 'hono', 'koa', 'nest'] as const;

/** The table block of one README, markers included; `undefined` when it has none. */
function behaviourTable(readme: string): string | undefined {
  const start = readme.indexOf('<!-- behaviour-table');
  const end = readme.indexOf('<!-- /behaviour-table -->');
  return start < 0 || end < start ? undefined : readme.slice(start, end);
}

describe('the behaviour table of the adapter READMEs', () => {
  const tables = ADAPTERS.map((name) => {
    const readme = readFileSync(new URL(`packages/${name}/README.md`, root), 'utf8');
    return [name, behaviourTable(readme)] as const;
  });

  it('every adapter README has one', () => {
    for (const [name, table] of tables) expect(table, `${name}/README.md`).toBeDefined();
  });

  it('they are identical, word for word', () => {
    const [first] = tables;
    for (const [name, table] of tables) expect(table, `${name} differs from ${first?.[0]}`).toBe(first?.[1]);
  });

  it('it names the J behaviours that adapterSuite and core decide once', () => {
    const table = tables[0]?.[1] ?? '';
    for (const id of ['J2', 'J3', 'J4', 'J5', 'J6']) expect(table).toContain(id);
  });

  it('the extraction finds nothing in a README without markers, and a block with them', () => {
    expect(behaviourTable('# x\n| a | b |')).toBeUndefined();
    expect(behaviourTable('a <!-- behaviour-table --> row <!-- /behaviour-table --> b')).toContain('row');
  });
});
