/**
 * docs/options.md is the one table of options every README links to. It is generated from the TSDoc of the
 * options' interfaces by scripts/options-table.mjs; this test runs that script's check, so an option added,
 * removed, re-documented or given another default without regenerating the table fails here, naming it
 * (issue 16 item 6). It also holds the TSDoc's stated defaults against the code's (`DEFAULTS`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  check,
  DOC,
  defaultOf,
  type OptionsPart,
  PARTS,
  ROOT,
  readOptions,
  readSources,
  render,
} from '../../../scripts/options-table.mjs';
import { DEFAULT_EXCLUDED_HEADERS } from '../src/headers.js';
import { MemoryStore } from '../src/memory-store.js';
import { DEFAULTS, resolveOptions } from '../src/options.js';

const OPTIONS_TS = 'packages/core/src/options.ts';
const doc = readFileSync(join(ROOT, DOC), 'utf8');
const sources = readSources();
const core = PARTS.find((part) => part.name === 'core') as OptionsPart;

/** The sources with core's options.ts edited by `edit`. */
function withOptions(edit: (source: string) => string): Record<string, string> {
  const source = sources[OPTIONS_TS] as string;
  const edited = edit(source);
  expect(edited, 'the synthetic edit applies').not.toBe(source);
  return { ...sources, [OPTIONS_TS]: edited };
}

/** `source` with the TSDoc comment of option `name` edited by `edit`. */
function editDoc(source: string, name: string, edit: (comment: string) => string): string {
  const at = new RegExp(String.raw`\n[ \t]*/\*\*(?:(?!\*/)[\s\S])*\*/\s*readonly ${name}\b[^\n]*`).exec(
    source,
  );
  if (!at) throw new Error(`no TSDoc before readonly ${name}`);
  return source.slice(0, at.index) + edit(at[0]) + source.slice(at.index + at[0].length);
}

/** Exported constants a TSDoc default may name. */
const CONSTANTS: Readonly<Record<string, unknown>> = { DEFAULT_EXCLUDED_HEADERS };

/**
 * The value a stated default names when it is a literal: `30_000`, `'Idempotency-Key'`, `false`,
 * `['POST', 'PATCH']`, `1 MiB`, an exported constant. `undefined` for a formula or prose (`leaseMs / 3`, none).
 */
function literal(stated: string): { value: unknown } | undefined {
  const mib = /^`?(\d+) MiB\b/.exec(stated);
  if (mib) return { value: Number(mib[1]) * 1024 * 1024 };
  const code = /^`([^`]+)`/.exec(stated)?.[1];
  if (code === undefined) return undefined;
  if (/^\d[\d_]*$/.test(code)) return { value: Number(code.replaceAll('_', '')) };
  if (code === 'true' || code === 'false') return { value: code === 'true' };
  if (/^'[^']*'$/.test(code)) return { value: code.slice(1, -1) };
  if (/^\[('[^']*'(, )?)*\]$/.test(code)) return { value: JSON.parse(code.replaceAll("'", '"')) };
  if (code in CONSTANTS) return { value: CONSTANTS[code] };
  return undefined;
}

describe('docs/options.md, the one options table', () => {
  it('is up to date with the TSDoc of IdempotencyOptions, RouteOptions and the stores options', () => {
    expect(check(doc, sources)).toEqual([]);
    expect(render(doc, sources), 'node scripts/options-table.mjs leaves the document as it is').toBe(doc);
  });

  it('has a row, a default and a section for every option of createIdempotency', () => {
    const options = readOptions(core, sources[OPTIONS_TS] as string);
    expect(options.map((o) => o.name)).toContain('store');
    expect(options.map((o) => o.name)).toContain('retryAfterSeconds');
    for (const option of options) {
      expect(option.default, option.name).toBeDefined();
      expect(doc, option.name).toContain(`\n### ${option.name}\n`);
    }
    const route = options.filter((o) => o.declaredIn === 'RouteOptions').map((o) => o.name);
    expect(route).toEqual(expect.arrayContaining(['required', 'methods', 'leaseMs', 'ttlMs', 'persist']));
    expect(route).not.toContain('store');
  });

  it("states the code's defaults: every stated literal default equals DEFAULTS (or the resolved option)", () => {
    const resolved: Record<string, unknown> = { ...resolveOptions({ store: new MemoryStore() }) };
    const defaults: Record<string, unknown> = { ...DEFAULTS };
    const options = readOptions(core, sources[OPTIONS_TS] as string);
    for (const key of Object.keys(defaults)) {
      expect(
        options.map((o) => o.name),
        `DEFAULTS.${key} is an option`,
      ).toContain(key);
    }
    let compared = 0;
    for (const option of options) {
      const stated = option.default as string;
      const value = literal(stated);
      if (option.name in defaults) {
        const code = defaults[option.name];
        if (value) expect(value.value, `${option.name}: the TSDoc says ${stated}`).toEqual(code);
        // A formula (`min(300_000, ttlMs)`) must at least name the constant the code uses.
        else expect(stated.replaceAll('_', ''), option.name).toContain(String(code));
        compared++;
      } else if (value && option.name in resolved && typeof resolved[option.name] !== 'object') {
        expect(resolved[option.name], `${option.name}: the TSDoc says ${stated}`).toEqual(value.value);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(Object.keys(defaults).length);
  });
});

describe('the check fails when the table and the TSDoc drift (synthetic)', () => {
  const target = 'maxKeyLength';
  const stated =
    readOptions(core, sources[OPTIONS_TS] as string).find((o) => o.name === target)?.default ?? '';
  const messages = (problems: readonly string[]) => problems.join('\n');

  it('an option added to RouteOptions without a row', () => {
    const added = withOptions((s) =>
      s.replace(
        /(export interface RouteOptions\b[^{]*\{\n)/,
        "$1  /** How thrown errors are treated. Default `'release'`. */\n  readonly onThrow?: 'release' | 'store' | undefined;\n",
      ),
    );
    const problems = check(doc, added);
    expect(messages(problems)).toMatch(/no row for `onThrow`, declared in RouteOptions/);
    expect(problems.at(-1)).toMatch(/node scripts\/options-table\.mjs/);
    expect(check(render(doc, added), added), 'regenerating fixes it').toEqual([]);
  });

  it('a row for an option that no longer exists', () => {
    const removed = withOptions((s) => editDoc(s, target, () => ''));
    expect(messages(check(doc, removed))).toContain(`row for \`${target}\`, which is no option`);
  });

  it('a default changed in the TSDoc, or in the table', () => {
    expect(stated).toMatch(/^`\d+`$/);
    const changed = withOptions((s) =>
      editDoc(s, target, (c) => c.replace(`Default ${stated}`, 'Default `7`')),
    );
    expect(messages(check(doc, changed))).toContain(
      `gives \`${target}\` the default ${stated}, its TSDoc in ${OPTIONS_TS} says \`7\``,
    );
    const edited = doc
      .split('\n')
      .map((line) => (line.startsWith(`| [\`${target}\`]`) ? line.replace(stated, '`7`') : line))
      .join('\n');
    expect(edited).not.toBe(doc);
    expect(messages(check(edited, sources))).toContain(
      `gives \`${target}\` the default \`7\`, its TSDoc in ${OPTIONS_TS} says ${stated}`,
    );
  });

  it('an option whose TSDoc states no default', () => {
    const silent = withOptions((s) => editDoc(s, target, (c) => c.replace(`Default ${stated}.`, '')));
    expect(messages(check(doc, silent))).toMatch(new RegExp(`\`${target}\` .* states no default`));
  });

  it('other wording, but not Biome-style padding', () => {
    const reworded = withOptions((s) => editDoc(s, target, (c) => c.replace('/**', '/** Reworded:')));
    expect(messages(check(doc, reworded))).toMatch(/the core part differs/);
    const unpadded = doc.replace(/ {2,}\|/g, ' |');
    expect(unpadded).not.toBe(doc);
    expect(check(unpadded, sources)).toEqual([]);
  });

  it('reads a default up to the end of its sentence, outside code and brackets', () => {
    expect(defaultOf('Longest key. Default `255`.')).toBe('`255`');
    expect(defaultOf('Kept. Default `86_400_000` (24 h).')).toBe('`86_400_000` (24 h)');
    expect(defaultOf('Default: none (e.g. no. 1); left unset, more.')).toBe('none (e.g. no. 1)');
    expect(defaultOf('No default here, in lower case.')).toBeUndefined();
  });
});
