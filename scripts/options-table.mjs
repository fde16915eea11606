#!/usr/bin/env node
/**
 * The option tables of docs/options.md, generated from the TSDoc of the options' interfaces, so that the one
 * table the READMEs link to cannot drift from the code (issue 16 item 6).
 *
 *   node scripts/options-table.mjs           rewrites the generated parts of docs/options.md
 *   node scripts/options-table.mjs --check   exits 1, naming each difference, when docs/options.md is stale
 *
 * Each generated part sits between `<!-- options-table NAME -->` and `<!-- /options-table NAME -->`; the text
 * around them is written by hand. The rules the TSDoc follows: one comment per option; its first sentence says
 * what the option does; a sentence starting with `Default` (`Default \`30_000\`.`, `Default: none.`) states the
 * default, up to the first `.` or `;` outside backticks and brackets; an option without `?` is required.
 * packages/core/test/options-table.test.ts runs the check.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The document, relative to {@link ROOT}. */
export const DOC = 'docs/options.md';

/**
 * The generated parts: `core` is one table of `createIdempotency`'s options with a "per route" column (the
 * members of `RouteOptions`) and a section per option; the stores' parts are one table each.
 */
export const PARTS = [
  {
    name: 'core',
    file: 'packages/core/src/options.ts',
    types: ['RouteOptions', 'IdempotencyOptions'],
    routeType: 'RouteOptions',
    details: true,
  },
  { name: 'memory-store', file: 'packages/core/src/memory-store.ts', types: ['MemoryStoreOptions'] },
  { name: 'store-redis', file: 'packages/store-redis/src/options.ts', types: ['RedisStoreOptions'] },
  { name: 'store-postgres', file: 'packages/store-postgres/src/options.ts', types: ['PostgresStoreOptions'] },
  { name: 'store-mongo', file: 'packages/store-mongo/src/options.ts', types: ['MongoStoreOptions'] },
];

const REGENERATE =
  'edit the TSDoc, then run `node scripts/options-table.mjs` (and `npx biome check --write docs/options.md`)';

/** Reads the TSDoc comment just before a node: its lines, without the comment's own markers. */
function tsdocLines(node, sourceText) {
  const ranges = ts.getLeadingCommentRanges(sourceText, node.getFullStart()) ?? [];
  const last = ranges.filter((range) => sourceText.startsWith('/**', range.pos)).at(-1);
  if (!last) return [];
  return sourceText
    .slice(last.pos + 3, last.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trimEnd());
}

/** TSDoc lines as Markdown blocks: paragraphs joined into one line, list items kept as items. */
function blocks(lines) {
  const out = [];
  let current;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') {
      current = undefined;
    } else if (line.startsWith('- ')) {
      current = { item: true, text: line.slice(2) };
      out.push(current);
    } else if (current) {
      current.text += ` ${line}`;
    } else {
      current = { item: false, text: line };
      out.push(current);
    }
  }
  return out.map((block) => ({ ...block, text: links(block.text) }));
}

/** `{@link X}` as the code span `X`. */
function links(text) {
  return text.replace(/\{@link\s+([^}\s|]+)(?:\s*\|\s*([^}]+))?\}/g, (_, target, label) =>
    label ? label.trim() : `\`${target}\``,
  );
}

/** The index of the end of the sentence or clause starting at `start`: a `.` or `;` (with `stops`) outside code and brackets. */
function clauseEnd(text, start, stops) {
  let depth = 0;
  let code = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '`') code = !code;
    else if (code) continue;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && stops.includes(c) && (i + 1 === text.length || /\s/.test(text[i + 1]))) return i;
  }
  return text.length;
}

/** The first sentence of a text. */
function firstSentence(text) {
  return text.slice(0, clauseEnd(text, 0, '.') + 1).trim();
}

/** The default a TSDoc text states: the last sentence starting with `Default`, up to its first `.` or `;`. */
export function defaultOf(text) {
  const starts = [...text.matchAll(/(?:^|\s)Default\b:?\s*/g)];
  const last = starts.at(-1);
  if (!last) return undefined;
  const start = last.index + last[0].length;
  return text.slice(start, clauseEnd(text, start, '.;')).trim();
}

/** A type node's text without its `| undefined`, on one line. */
function typeText(node, sf) {
  if (!node) return 'unknown';
  let members = ts.isUnionTypeNode(node) ? [...node.types] : [node];
  members = members.filter((member) => member.kind !== ts.SyntaxKind.UndefinedKeyword);
  const texts = members.map((member) => {
    const inner = ts.isParenthesizedTypeNode(member) && members.length === 1 ? member.type : member;
    return inner
      .getText(sf)
      .replace(/\s+/g, ' ')
      .replace(/\(\s+/g, '(')
      .replace(/,?\s*\)/g, ')')
      .replace(/^\|\s*/, '');
  });
  return texts.join(' | ');
}

/** The property signatures of a type literal, union or intersection, with the other branches' required names. */
function collectMembers(node, sf, out, alternatives = []) {
  if (ts.isParenthesizedTypeNode(node)) return collectMembers(node.type, sf, out, alternatives);
  if (ts.isIntersectionTypeNode(node)) {
    for (const type of node.types) collectMembers(type, sf, out, alternatives);
    return out;
  }
  if (ts.isUnionTypeNode(node)) {
    const literals = node.types.map((type) => (ts.isParenthesizedTypeNode(type) ? type.type : type));
    const required = literals.map((type) =>
      ts.isTypeLiteralNode(type)
        ? type.members
            .filter((m) => ts.isPropertySignature(m) && !m.questionToken)
            .map((m) => m.name.getText(sf))
        : [],
    );
    literals.forEach((type, i) => {
      const others = required.filter((_, j) => j !== i).flat();
      collectMembers(type, sf, out, others);
    });
    return out;
  }
  if (ts.isTypeLiteralNode(node)) {
    for (const member of node.members) {
      if (ts.isPropertySignature(member)) out.push({ member, alternatives });
    }
  }
  return out;
}

/**
 * The options a part's types declare, in declaration order: name, type, whether optional, which type declares
 * it, the TSDoc as Markdown blocks, its first sentence and its default.
 */
export function readOptions(part, sourceText) {
  const sf = ts.createSourceFile(part.file, sourceText, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const options = [];
  for (const typeName of part.types) {
    const declaration = sf.statements.find(
      (s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === typeName,
    );
    if (!declaration) throw new Error(`${part.file}: no interface or type named ${typeName}`);
    const members = ts.isInterfaceDeclaration(declaration)
      ? declaration.members.filter(ts.isPropertySignature).map((member) => ({ member, alternatives: [] }))
      : collectMembers(declaration.type, sf, []);
    for (const { member, alternatives } of members) {
      const text = blocks(tsdocLines(member, sourceText));
      const prose = text.map((block) => block.text).join(' ');
      const optional = member.questionToken !== undefined;
      const stated = defaultOf(prose);
      options.push({
        name: member.name.getText(sf),
        type: typeText(member.type, sf),
        optional,
        declaredIn: typeName,
        blocks: text,
        summary: firstSentence(prose),
        default: optional
          ? stated
          : alternatives.length > 0
            ? `required, or ${alternatives.map((a) => `\`${a}\``).join(', ')} instead`
            : 'required',
      });
    }
  }
  // The required ones first (`store`), then in declaration order.
  return [...options.filter((o) => !o.optional), ...options.filter((o) => o.optional)];
}

/** A TSDoc text without its `Default ...` and `Required.` sentences, unless nothing else is left. */
function withoutDefault(text) {
  const starts = [...text.matchAll(/(?:^|\s)Default\b/g)];
  let out = text;
  const last = starts.at(-1);
  if (last) {
    const stop = clauseEnd(text, last.index + last[0].length, '.;');
    out = `${text.slice(0, last.index)} ${text.slice(stop + 1)}`;
  }
  out = out
    .replace(/(?:^|\s)Required\.(?=\s|$)/, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return out === '' ? text : out;
}

/** A table cell's text: `|` escaped. */
function cell(text) {
  return text.replaceAll('|', '\\|');
}

/** A Markdown table, its columns padded as Biome formats them. */
function table(header, rows) {
  const all = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...all.map((row) => [...row[i]].length)));
  const line = (row) => `| ${row.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join(' | ')} |`;
  return [line(all[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...all.slice(1).map(line)];
}

/** The Markdown of one generated part (without its markers). */
export function renderPart(part, options) {
  const lines = [];
  if (part.details) {
    lines.push(
      ...table(
        ['option', 'type', 'default', 'per route', 'what it does'],
        options.map((o) => [
          `[\`${o.name}\`](#${o.name.toLowerCase()})`,
          `\`${o.type}\``,
          o.default ?? '(none stated)',
          o.declaredIn === part.routeType ? 'yes' : 'no',
          o.summary,
        ]),
      ),
    );
    for (const option of options) {
      lines.push('', `### ${option.name}`, '');
      for (const [i, block] of option.blocks.entries()) {
        const previous = option.blocks[i - 1];
        if (i > 0 && !(block.item && previous?.item)) lines.push('');
        lines.push(block.item ? `- ${block.text}` : block.text);
      }
    }
  } else {
    lines.push(
      ...table(
        ['option', 'type', 'default', 'what it does'],
        options.map((o) => [
          `\`${o.name}\``,
          `\`${o.type}\``,
          o.default ?? '(none stated)',
          withoutDefault(o.blocks.map((b) => b.text).join(' ')),
        ]),
      ),
    );
  }
  return lines.join('\n');
}

const begin = (name) => `<!-- options-table ${name} -->`;
const end = (name) => `<!-- /options-table ${name} -->`;

/** The text between a part's markers, or `undefined` when the markers are missing. */
function region(doc, name) {
  const from = doc.indexOf(begin(name));
  const to = doc.indexOf(end(name));
  if (from < 0 || to < from) return undefined;
  return { from: from + begin(name).length, to };
}

/** Reads every part's source file from the repository (or from `sources`, keyed by file, for tests). */
export function readSources(sources = {}) {
  return Object.fromEntries(
    PARTS.map((part) => [part.file, sources[part.file] ?? readFileSync(join(ROOT, part.file), 'utf8')]),
  );
}

/** The document with every generated part rewritten. */
export function render(doc, sources = readSources()) {
  let out = doc;
  for (const part of PARTS) {
    const at = region(out, part.name);
    if (!at) throw new Error(`${DOC}: the markers ${begin(part.name)} ... ${end(part.name)} are missing`);
    const body = renderPart(part, readOptions(part, sources[part.file]));
    out = `${out.slice(0, at.from)}\n\n${body}\n\n${out.slice(at.to)}`;
  }
  return out;
}

/** Markdown compared the way Biome leaves it alone: cells trimmed, padding and blank lines ignored. */
function normalise(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((c) => c.trim().replace(/^-{3,}$/, '---'))
            .join('|')
        : line.replace(/\s+/g, ' '),
    )
    .join('\n');
}

/** The rows of a generated table: option name to its cells. */
function rows(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    const cells = line
      .trim()
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim().replaceAll('\\|', '|'));
    const name = /`([^`]+)`/.exec(cells[0] ?? '')?.[1];
    if (name && !/^-+$/.test(cells[1] ?? '')) out.set(name, cells);
  }
  return out;
}

/** The differences of one generated part. */
function checkPart(part, doc, sourceText) {
  const at = region(doc, part.name);
  if (!at) return [`${DOC} lacks the markers ${begin(part.name)} ... ${end(part.name)}`];
  const problems = [];
  const options = readOptions(part, sourceText);
  const where = `${part.types.join(' / ')} in ${part.file}`;
  const documented = rows(doc.slice(at.from, at.to));
  for (const option of options) {
    const row = documented.get(option.name);
    if (option.default === undefined) {
      problems.push(
        `\`${option.name}\` (${where}) states no default: its TSDoc needs a "Default ..." sentence`,
      );
    }
    if (!row) {
      problems.push(`${DOC} has no row for \`${option.name}\`, declared in ${where}`);
    } else if (option.default !== undefined && row[2] !== option.default) {
      problems.push(
        `${DOC} gives \`${option.name}\` the default ${row[2]}, its TSDoc in ${part.file} says ${option.default}`,
      );
    }
  }
  for (const name of documented.keys()) {
    if (!options.some((option) => option.name === name)) {
      problems.push(`${DOC} has a row for \`${name}\`, which is no option of ${where}`);
    }
  }
  if (
    problems.length === 0 &&
    normalise(doc.slice(at.from, at.to)) !== normalise(renderPart(part, options))
  ) {
    problems.push(
      `${DOC}: the ${part.name} part differs from the TSDoc of ${where} (wording, types or order)`,
    );
  }
  return problems;
}

/**
 * What is wrong with `doc` against the sources: one sentence per difference (an option with no row, a row with no
 * option, a default the table states otherwise, an option whose TSDoc states no default, anything else stale).
 * Empty when the document is up to date.
 */
export function check(doc, sources = readSources()) {
  const problems = [];
  for (const part of PARTS) {
    problems.push(...checkPart(part, doc, sources[part.file]));
  }
  if (problems.length > 0) problems.push(`To fix: ${REGENERATE}.`);
  return problems;
}

function main() {
  const path = join(ROOT, DOC);
  const doc = readFileSync(path, 'utf8');
  if (process.argv.includes('--check')) {
    const problems = check(doc);
    for (const problem of problems) console.error(problem);
    process.exitCode = problems.length > 0 ? 1 : 0;
    return;
  }
  const next = render(doc);
  if (next !== doc) writeFileSync(path, next);
  console.log(next === doc ? `${DOC} is up to date` : `${DOC} rewritten`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
