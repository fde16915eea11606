/**
 * Every reference in the repository resolves to the repository's own docs (issue 16 item 1). Scanned: the
 * tracked text files (`git ls-files`) under packages/*\/src, packages/*\/test, apps/*\/src, apps/*\/test, docs/,
 * and the READMEs (root, packages/*, apps/*). This file is left out of the scan: its self-tests hold references
 * that are wrong on purpose.
 *
 * What is checked, each with `file:line` and the missing target on failure:
 * - no citation of the documents that lived outside the repository (the upper-case design, behaviour and
 *   reference-app files, or a path into a sibling `shared` directory);
 * - `docs/<name>.md` names a file in docs/, and `docs/<name>.md "<Section>"` names a heading of it. A section
 *   matches a heading's text exactly (case and punctuation included, inline-code backticks ignored): no prefix
 *   or fuzzy match, so that renaming a heading fails here until its citations follow. A citation may wrap
 *   onto the next comment line;
 * - a behaviour number (`C17`, a range `D26-D31`) in a test title (`it`, `test`, `describe`, in
 *   packages/*\/test, apps/*\/test and packages/testing/src/*-cases.ts) or after "BEHAVIOUR" or
 *   "docs/behaviour.md" anywhere is a row of docs/behaviour.md's tables (`| C17 | ... |`), and an issue-15 tag
 *   `[15.N]` in a title is one that docs/behaviour.md's section I carries. Numbers are read only there, never
 *   from free text, so `H2`, `C1 control characters` or a hex digest in prose are never taken for one;
 * - a relative Markdown link in a `.md` file names an existing file, and its `#anchor` a heading of the target
 *   (GitHub's slugs); so does an absolute link into this repository's main branch
 *   (`https://github.com/idempo/idempo/blob/main/<path>#anchor`, or `tree/main/`), read from the working tree;
 * - a package's README (packages/*\/README.md, the page npmjs.com shows) has no relative link but to its own
 *   headings (`#anchor`): the registry resolves none of them, so anything else is an absolute link (issue 18).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** One broken reference: where it is and what it names that does not exist. */
interface Finding {
  readonly where: string;
  readonly problem: string;
}

/** A reference found in a file, before it is resolved. */
interface Reference {
  readonly file: string;
  readonly line: number;
}

interface DocCitation extends Reference {
  /** The `<name>` of `docs/<name>.md`. */
  readonly doc: string;
  /** The quoted section after it, joined onto one line; absent when only the file is cited. */
  readonly section?: string | undefined;
}

interface BehaviourUse extends Reference {
  /** `C17`, or `[15.4]` for an issue-15 tag. */
  readonly id: string;
  /** Where it was read: `title` or `citation`. */
  readonly kind: 'title' | 'citation';
}

interface MarkdownLink extends Reference {
  /** The link's target as written, `../core/README.md#options`. */
  readonly target: string;
}

/** What the docs provide: each doc's headings, and docs/behaviour.md's numbers and issue-15 tags. */
interface DocsIndex {
  /** Headings by doc name (`design` for docs/design.md); a missing name is a missing file. */
  readonly headings: ReadonlyMap<string, readonly string[]>;
  readonly behaviours: ReadonlySet<string>;
  readonly issueTags: ReadonlySet<string>;
}

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = normalize(join(here, '..', '..', '..'));
const SELF = relative(ROOT, fileURLToPath(import.meta.url))
  .split('\\')
  .join('/');

const TEXT = /\.(?:[cm]?[jt]sx?|md|json|ya?ml|sql|lua|txt)$/;
const SCANNED = [
  /^packages\/[^/]+\/(?:src|test)\//,
  /^apps\/[^/]+\/(?:src|test)\//,
  /^docs\//,
  /^(?:packages\/[^/]+\/|apps\/[^/]+\/)?README\.md$/,
];
const TITLED = [
  /^packages\/[^/]+\/test\//,
  /^apps\/[^/]+\/test\//,
  /^packages\/testing\/src\/[^/]*-cases\.ts$/,
];

/** A line break followed by what continues a comment: `*`, `//` or nothing. */
const WRAP = String.raw`\r?\n[ \t]*(?:\*(?!\/)|\/\/)?[ \t]*`;
/** A behaviour number: a letter of a section, A to I, and one or two digits. */
const ID = '[A-I][0-9]{1,2}(?![A-Za-z0-9_])';

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function where(ref: Reference): string {
  return `${ref.file}:${ref.line}`;
}

/** Joins a wrapped comment fragment onto one line. */
function unwrap(text: string): string {
  return text.replace(new RegExp(String.raw`[ \t]*${WRAP}`, 'g'), ' ').trim();
}

/** Citations of the documents that were never part of the repository. */
function findForeignCitations(file: string, text: string): Finding[] {
  const foreign = new RegExp(
    String.raw`(?<![A-Za-z0-9_-])(?:${['DESIGN', 'BEHAVIOUR', 'REFERENCE-APP'].join('|')})\.md\b|\.\.\/shared\b|\/work\/shared\b`,
    'g',
  );
  return [...text.matchAll(foreign)].map((m) => ({
    where: `${file}:${lineAt(text, m.index)}`,
    problem: `cites ${m[0]}, which is not in the repository; cite docs/design.md, docs/behaviour.md or docs/reference-app.md`,
  }));
}

/** Every `docs/<name>.md`, with the `"<Section>"` that follows it, if any. */
function findDocCitations(file: string, text: string): DocCitation[] {
  const citation = new RegExp(
    String.raw`(?<![A-Za-z0-9_.-])docs\/([A-Za-z0-9_-]+)\.md(?![A-Za-z0-9_-])(?:[ \t]*(?:${WRAP})?"((?:[^"\r\n]|${WRAP}){1,120}?)")?`,
    'g',
  );
  return [...text.matchAll(citation)].map((m) => ({
    file,
    line: lineAt(text, m.index),
    doc: m[1] as string,
    section: m[2] === undefined ? undefined : unwrap(m[2]),
  }));
}

/** The headings of a Markdown text, outside fenced code, without their `#`s and inline-code backticks. */
function parseHeadings(markdown: string): string[] {
  const headings: string[] = [];
  let fenced = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(?:```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (heading) headings.push((heading[1] as string).replaceAll('`', ''));
  }
  return headings;
}

/** The behaviour numbers docs/behaviour.md defines: the first cell of its table rows, `| C17 | ... |`. */
function parseBehaviours(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(new RegExp(String.raw`^\|[ \t]*(${ID})[ \t]*\|`, 'gm'))].map((m) => m[1] as string),
  );
}

/** The issue-15 tags docs/behaviour.md carries, `[15.4]` and each of `[15.5, 15.6]`. */
function parseIssueTags(markdown: string): Set<string> {
  const tags = new Set<string>();
  for (const group of markdown.matchAll(/\[(15\.\d+(?:,\s*15\.\d+)*)\]/g)) {
    for (const tag of (group[1] as string).split(/,\s*/)) tags.add(`[${tag}]`);
  }
  return tags;
}

/**
 * Expands `C18-C23` into its numbers; a single number is itself. A range across sections (`A1-H48`, the whole
 * checklist) is its two ends. Undefined for a range that runs backwards.
 */
function expandRange(from: string, to: string | undefined): string[] | undefined {
  if (to === undefined) return [from];
  const [a, b] = [Number(from.slice(1)), Number(to.slice(1))];
  if (b < a) return undefined;
  if (from[0] !== to[0]) return [from, to];
  return Array.from({ length: b - a + 1 }, (_, i) => `${from[0]}${a + i}`);
}

function idsIn(text: string, ref: Reference, kind: BehaviourUse['kind']): BehaviourUse[] {
  const uses: BehaviourUse[] = [];
  for (const m of text.matchAll(
    new RegExp(String.raw`(?<![A-Za-z0-9_])(${ID})(?:\s*[-–]\s*(${ID}))?`, 'g'),
  )) {
    const ids = expandRange(m[1] as string, m[2]);
    if (ids === undefined) uses.push({ ...ref, kind, id: m[0] });
    else for (const id of ids) uses.push({ ...ref, kind, id });
  }
  return uses;
}

/** The behaviour numbers cited in prose: after "BEHAVIOUR" or "docs/behaviour.md", a list or a range of them. */
function findBehaviourCitations(file: string, text: string): BehaviourUse[] {
  const sep = String.raw`(?:[ \t]*[,/][ \t]*|[ \t]*[-–][ \t]*|[ \t]+(?:and|or)[ \t]+|[ \t]+|[ \t]*${WRAP})`;
  const citation = new RegExp(
    String.raw`(?:\bBEHAVIOUR|(?<![A-Za-z0-9_.-])docs\/behaviour\.md)(?:[ \t]+|[ \t]*${WRAP})(${ID}(?:${sep}${ID})*)`,
    'g',
  );
  return [...text.matchAll(citation)].flatMap((m) =>
    idsIn(unwrap(m[1] as string), { file, line: lineAt(text, m.index) }, 'citation'),
  );
}

/** The index just past the bracket that closes the one at `open`, skipping string literals; -1 if none. */
function skipBalanced(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The titles of `it(`, `test(` and `describe(` calls, also behind modifiers with arguments of their own
 * (`it.each([...])(`, `describe.skipIf(cond)(`): a string literal first argument; a template's `${...}` parts
 * are code, not title text.
 */
function findTitles(text: string): { readonly title: string; readonly index: number }[] {
  const titles: { title: string; index: number }[] = [];
  const literal = /\s*(?:'((?:\\.|[^'\\\r\n])*)'|"((?:\\.|[^"\\\r\n])*)"|`((?:\\.|[^`\\])*)`)/y;
  for (const m of text.matchAll(/(?<![A-Za-z0-9_$.])(?:it|test|describe)(?=[.(])/g)) {
    let i = m.index + m[0].length;
    for (;;) {
      const modifier = /^\.[A-Za-z]+/.exec(text.slice(i, i + 40));
      if (modifier) i += modifier[0].length;
      if (text[i] !== '(') break;
      literal.lastIndex = i + 1;
      const title = literal.exec(text);
      if (title) {
        titles.push({
          title: title[1] ?? title[2] ?? (title[3] as string).replace(/\$\{[^}]*\}/g, ' '),
          index: m.index,
        });
        break;
      }
      i = skipBalanced(text, i);
      if (i < 0) break;
    }
  }
  return titles;
}

/** The behaviour numbers and `[15.N]` tags in a file's test titles. */
function findTitleIds(file: string, text: string): BehaviourUse[] {
  return findTitles(text).flatMap(({ title, index }) => {
    const ref = { file, line: lineAt(text, index) };
    const tags = [...title.matchAll(/\[(15\.\d+(?:,\s*15\.\d+)*)\]/g)].flatMap((m) =>
      (m[1] as string).split(/,\s*/).map((tag) => ({ ...ref, kind: 'title' as const, id: `[${tag}]` })),
    );
    return [...idsIn(title, ref, 'title'), ...tags];
  });
}

/** The address of this repository's main branch on GitHub: a link under it names a file of the working tree. */
const REPOSITORY = /^https:\/\/github\.com\/idempo\/idempo\/(?:blob|tree)\/main\/([^?#]*)(#.*)?$/;
/** A README that the registry shows: its links must resolve without the repository around it. */
const PACKAGE_README = /^packages\/[^/]+\/README\.md$/;

/** The links of a Markdown text, web addresses included, outside fenced code and inline code. */
function findAllMarkdownLinks(file: string, text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  let fenced = false;
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (/^\s*(?:```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ file, line: i + 1, target: m[1] as string });
    }
  }
  return links;
}

/** The relative links of a Markdown text (not web addresses), outside fenced code. */
function findMarkdownLinks(file: string, text: string): MarkdownLink[] {
  return findAllMarkdownLinks(file, text).filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target));
}

/** The absolute links into this repository's main branch, with their targets made relative to the root (`/x`). */
function findRepositoryLinks(file: string, text: string): MarkdownLink[] {
  return findAllMarkdownLinks(file, text).flatMap((link) => {
    const m = REPOSITORY.exec(link.target);
    return m ? [{ ...link, target: `/${m[1]}${m[2] ?? ''}` }] : [];
  });
}

/** The links of a package README that the registry cannot resolve: relative ones, but to its own headings. */
function checkPackageReadmeLinks(links: readonly MarkdownLink[]): Finding[] {
  return links
    .filter((link) => PACKAGE_README.test(link.file) && !link.target.startsWith('#'))
    .map((link) => {
      const path = join(dirname(link.file), link.target).split('\\').join('/');
      return {
        where: where(link),
        problem: `links to ${link.target}, which npmjs.com cannot resolve: write https://github.com/idempo/idempo/blob/main/${path}`,
      };
    });
}

/** GitHub's anchor of each heading: lower case, punctuation dropped, spaces to `-`, repeats numbered. */
function headingSlugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  for (const heading of parseHeadings(markdown)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/** The citations of docs/ files and sections that do not resolve. */
function checkDocCitations(citations: readonly DocCitation[], docs: DocsIndex): Finding[] {
  const findings: Finding[] = [];
  for (const c of citations) {
    const headings = docs.headings.get(c.doc);
    if (headings === undefined) {
      findings.push({ where: where(c), problem: `cites docs/${c.doc}.md, which does not exist` });
    } else if (c.section !== undefined && !headings.includes(c.section)) {
      findings.push({
        where: where(c),
        problem: `cites docs/${c.doc}.md "${c.section}", which has no such heading (it has: ${headings.map((h) => `"${h}"`).join(', ')})`,
      });
    }
  }
  return findings;
}

/** The behaviour numbers and issue-15 tags that docs/behaviour.md does not define. */
function checkBehaviours(uses: readonly BehaviourUse[], docs: DocsIndex): Finding[] {
  return uses
    .filter((u) => !(u.id.startsWith('[') ? docs.issueTags : docs.behaviours).has(u.id))
    .map((u) => ({
      where: where(u),
      problem: `${u.kind === 'title' ? 'a test title' : 'a citation'} names ${u.id}, which docs/behaviour.md does not define`,
    }));
}

/**
 * The Markdown links whose file, or whose anchor, does not exist (read from the disk): relative to the linking
 * file, or to the repository's root when the target starts with `/` (as findRepositoryLinks writes them).
 */
function checkMarkdownLinks(links: readonly MarkdownLink[]): Finding[] {
  const findings: Finding[] = [];
  for (const link of links) {
    const [path = '', anchor] = link.target.split('#', 2);
    const base = path.startsWith('/') ? ROOT : join(ROOT, dirname(link.file));
    const target = path === '' ? join(ROOT, link.file) : join(base, decodeURI(path));
    if (!existsSync(target)) {
      findings.push({ where: where(link), problem: `links to ${link.target}, which does not exist` });
    } else if (anchor !== undefined && target.endsWith('.md') && statSync(target).isFile()) {
      if (!headingSlugs(readFileSync(target, 'utf8')).has(anchor)) {
        findings.push({ where: where(link), problem: `links to ${link.target}, which has no such heading` });
      }
    }
  }
  return findings;
}

function report(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.where}: ${f.problem}`).join('\n');
}

/** The scanned files, relative to the repository's root, with their text. */
function scannedFiles(): { readonly file: string; readonly text: string }[] {
  const listed = execFileSync('git', ['ls-files', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return listed
    .split('\0')
    .filter((file) => file !== SELF && TEXT.test(file) && SCANNED.some((p) => p.test(file)))
    .filter((file) => existsSync(join(ROOT, file)))
    .map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));
}

function docsIndex(): DocsIndex {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'docs'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const headings = new Map<string, readonly string[]>();
  for (const file of listed.split('\n')) {
    const name = /^docs\/([A-Za-z0-9_-]+)\.md$/.exec(file)?.[1];
    if (name !== undefined && existsSync(join(ROOT, file))) {
      headings.set(name, parseHeadings(readFileSync(join(ROOT, file), 'utf8')));
    }
  }
  const behaviour = existsSync(join(ROOT, 'docs/behaviour.md'))
    ? readFileSync(join(ROOT, 'docs/behaviour.md'), 'utf8')
    : '';
  return { headings, behaviours: parseBehaviours(behaviour), issueTags: parseIssueTags(behaviour) };
}

describe('the matchers (self-test on synthetic text)', () => {
  const docs: DocsIndex = {
    headings: new Map([
      ['design', parseHeadings('# idempo\n\n## One request\n\n```\n## not a heading\n```\n')],
    ]),
    behaviours: parseBehaviours(
      '| #   | behaviour |\n| --- | --- |\n| C17 | a 201 stays a 201 |\n| D26 | x |\n',
    ),
    issueTags: parseIssueTags('| I4 | a stall [15.4] |\n| I5 | bodies [15.5, 15.6] |\n'),
  };
  const check = (text: string) =>
    checkDocCitations(findDocCitations('x.ts', text), docs).map((f) => `${f.where}: ${f.problem}`);

  it('reads headings outside fences, and behaviour rows and issue tags from tables', () => {
    expect(docs.headings.get('design')).toEqual(['idempo', 'One request']);
    expect([...docs.behaviours]).toEqual(['C17', 'D26']);
    expect([...docs.issueTags]).toEqual(['[15.4]', '[15.5]', '[15.6]']);
  });

  it('reports a missing section, a missing file, and not an existing section', () => {
    expect(check('/** The engine (docs/design.md "One request"). */')).toEqual([]);
    expect(check("// see docs/design.md and docs/design.md's table")).toEqual([]);
    expect(check('/**\n * line one\n * (docs/design.md "No such section").\n */')).toEqual([
      'x.ts:3: cites docs/design.md "No such section", which has no such heading (it has: "idempo", "One request")',
    ]);
    expect(check('see docs/missing.md "One request"')).toEqual([
      'x.ts:1: cites docs/missing.md, which does not exist',
    ]);
    expect(check('a prefix is not enough: docs/design.md "One"')).toHaveLength(1);
  });

  it('joins a section cited across two comment lines', () => {
    const text =
      '/**\n * The engine (docs/design.md "One\n * request"). And docs/design.md\n * "One request" too.\n */';
    expect(findDocCitations('x.ts', text).map((c) => [c.line, c.section])).toEqual([
      [2, 'One request'],
      [3, 'One request'],
    ]);
    expect(checkDocCitations(findDocCitations('x.ts', text), docs)).toEqual([]);
  });

  it('reports the documents outside the repository, and not docs/ names', () => {
    const foreign = ['DESIGN', 'BEHAVIOUR', 'REFERENCE-APP'].map((n) => `${n}.md`);
    const text = `// ${foreign.join(', ')} and ../shared/x, but docs/design.md and docs/behaviour.md are fine`;
    expect(findForeignCitations('x.ts', text).map((f) => f.problem.split(',')[0])).toEqual([
      ...foreign.map((name) => `cites ${name}`),
      'cites ../shared',
    ]);
  });

  it('reads behaviour numbers from citations: lists, ranges, wrapped lines', () => {
    const ids = (text: string) => findBehaviourCitations('x.ts', text).map((u) => u.id);
    expect(ids('(BEHAVIOUR C17)')).toEqual(['C17']);
    expect(ids('BEHAVIOUR A3/A4 and C15, D26-D28')).toEqual(['A3', 'A4', 'C15', 'D26', 'D27', 'D28']);
    expect(ids('BEHAVIOUR A1-H48 and E35-E33')).toEqual(['A1', 'H48', 'E35-E33']);
    expect(ids('/** (BEHAVIOUR\n * H48) */')).toEqual(['H48']);
    expect(ids('docs/behaviour.md E32 E33')).toEqual(['E32', 'E33']);
    expect(ids('BEHAVIOUR A-H, BEHAVIOUR H: errors, a C1 control character, HTTP H2, 0xA1')).toEqual([]);
  });

  it('reads behaviour numbers and issue tags from test titles only', () => {
    const text = [
      "it('C17 keeps 201 on replay', () => {});",
      'it(\n  "E32 E33 one execution [15.5, 15.6]",',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template title, as the scanned source has it
      'describe.skipIf(!url)(`G99 over ${name}`, () => {});',
      "expect(/^H2$/.test('H2')).toBe(true); const s = 'D99 is not a title';",
      "it.each([['json', (c: C) => c.req.json(), ')']])('D26 via %s', () => {}); // handles it. A22",
    ].join('\n');
    const uses = findTitleIds('x.test.ts', text);
    expect(uses.map((u) => `${u.line} ${u.id}`)).toEqual([
      '1 C17',
      '2 E32',
      '2 E33',
      '2 [15.5]',
      '2 [15.6]',
      '4 G99',
      '6 D26',
    ]);
    expect(checkBehaviours(uses, docs).map((f) => `${f.where} ${f.problem.split(' names ')[1]}`)).toEqual([
      'x.test.ts:2 E32, which docs/behaviour.md does not define',
      'x.test.ts:2 E33, which docs/behaviour.md does not define',
      'x.test.ts:4 G99, which docs/behaviour.md does not define',
    ]);
  });

  it('makes the anchors GitHub makes', () => {
    const slugs = headingSlugs('# A. The key\n## CORS: let browsers send the key\n## Routes\n## Routes\n');
    expect([...slugs]).toEqual(['a-the-key', 'cors-let-browsers-send-the-key', 'routes', 'routes-1']);
    expect(findMarkdownLinks('x.md', 'see [a](../a.md#x), [b](https://x.org/y.md) and `[c](c.md)`')).toEqual([
      { file: 'x.md', line: 1, target: '../a.md#x' },
    ]);
  });

  it('checks the links into this repository on GitHub against the working tree, anchors included', () => {
    const text = [
      '[a](https://github.com/idempo/idempo/blob/main/docs/behaviour.md#no-such-heading)',
      '[b](https://github.com/idempo/idempo/blob/main/docs/no-such-file.md) [c](https://github.com/other/x/blob/main/y.md)',
      '[d](https://github.com/idempo/idempo/tree/main/packages/core) [e](https://github.com/idempo/idempo/blob/main/README.md)',
    ].join('\n');
    const links = findRepositoryLinks('packages/x/README.md', text);
    expect(links.map((l) => l.target)).toEqual([
      '/docs/behaviour.md#no-such-heading',
      '/docs/no-such-file.md',
      '/packages/core',
      '/README.md',
    ]);
    expect(report(checkMarkdownLinks(links))).toBe(
      [
        'packages/x/README.md:1: links to /docs/behaviour.md#no-such-heading, which has no such heading',
        'packages/x/README.md:2: links to /docs/no-such-file.md, which does not exist',
      ].join('\n'),
    );
    const heading = headingSlugs(readFileSync(join(ROOT, 'docs/behaviour.md'), 'utf8'))
      .values()
      .next().value;
    const good = `[a](https://github.com/idempo/idempo/blob/main/docs/behaviour.md#${heading})`;
    expect(checkMarkdownLinks(findRepositoryLinks('packages/x/README.md', good))).toEqual([]);
  });

  it('refuses a relative link in a package README, but to its own headings', () => {
    const text = '[a](../core/README.md#options) [b](src/x.ts) [c](#install) [d](https://x.org)';
    expect(report(checkPackageReadmeLinks(findMarkdownLinks('packages/koa/README.md', text)))).toBe(
      [
        'packages/koa/README.md:1: links to ../core/README.md#options, which npmjs.com cannot resolve: write https://github.com/idempo/idempo/blob/main/packages/core/README.md#options',
        'packages/koa/README.md:1: links to src/x.ts, which npmjs.com cannot resolve: write https://github.com/idempo/idempo/blob/main/packages/koa/src/x.ts',
      ].join('\n'),
    );
    expect(checkPackageReadmeLinks(findMarkdownLinks('README.md', text))).toEqual([]);
    expect(checkPackageReadmeLinks(findMarkdownLinks('packages/koa/docs/x.md', text))).toEqual([]);
  });
});

describe('every reference resolves to the repository (issue 16 item 1)', () => {
  const files = scannedFiles();
  const docs = docsIndex();

  it('scans the sources, the tests and the docs', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.file === 'docs/behaviour.md')).toBe(true);
    expect(docs.behaviours.has('H48')).toBe(true);
  });

  it('cites no document from outside the repository', () => {
    const findings = files.flatMap(({ file, text }) => findForeignCitations(file, text));
    expect(findings, report(findings)).toEqual([]);
  });

  it('names existing docs/ files, and existing headings in them', () => {
    const findings = checkDocCitations(
      files.flatMap(({ file, text }) => findDocCitations(file, text)),
      docs,
    );
    expect(findings, report(findings)).toEqual([]);
  });

  it('uses only behaviour numbers docs/behaviour.md defines, in test titles and citations', () => {
    const uses = files.flatMap(({ file, text }) => [
      ...findBehaviourCitations(file, text),
      ...(TITLED.some((p) => p.test(file)) && /\.[cm]?[jt]sx?$/.test(file) ? findTitleIds(file, text) : []),
    ]);
    expect(uses.length).toBeGreaterThan(50);
    const findings = checkBehaviours(uses, docs);
    expect(findings, report(findings)).toEqual([]);
  });

  it('has relative Markdown links whose files and anchors exist', () => {
    const findings = checkMarkdownLinks(
      files
        .filter(({ file }) => file.endsWith('.md'))
        .flatMap(({ file, text }) => findMarkdownLinks(file, text)),
    );
    expect(findings, report(findings)).toEqual([]);
  });

  it('has absolute links into this repository whose files and anchors exist (issue 18)', () => {
    const links = files
      .filter(({ file }) => file.endsWith('.md'))
      .flatMap(({ file, text }) => findRepositoryLinks(file, text));
    expect(links.length).toBeGreaterThan(20);
    const findings = checkMarkdownLinks(links);
    expect(findings, report(findings)).toEqual([]);
  });

  it('has package READMEs whose links all work on the registry (issue 18)', () => {
    const readmes = files.filter(({ file }) => PACKAGE_README.test(file));
    expect(readmes.length).toBeGreaterThanOrEqual(11);
    const findings = checkPackageReadmeLinks(
      readmes.flatMap(({ file, text }) => findMarkdownLinks(file, text)),
    );
    expect(findings, report(findings)).toEqual([]);
  });
});
