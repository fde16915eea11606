/**
 * What the pack test covers, read from the repository so that a new package is covered without editing the test:
 * the publishable packages (tracked `packages/*\/package.json` without `"private": true`), their README install
 * line, and the README quick starts that serve HTTP (the first `ts` or `js` block under a "Quick start" heading,
 * followed by a `sh` block whose first `curl` line shows the request to send).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The parts of a package.json the pack test reads. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string };
  readonly homepage?: string;
  readonly bugs?: { readonly url?: string };
  readonly files?: readonly string[];
  readonly exports?: Readonly<Record<string, unknown>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

/** A package that is published: `packages/<dir>`, its manifest and its README. */
export interface PublishablePackage {
  /** The directory name under packages/, `fastify`. */
  readonly dir: string;
  readonly manifest: Manifest;
  /** The README's text; empty when it has none. */
  readonly readme: string;
}

/** The request a README's curl line sends. */
export interface CurlRequest {
  readonly method: string;
  /** The path and query, `/orders` (`/` when the line names none). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/** A README quick start that serves HTTP, and the request its README tells the reader to send. */
export interface QuickStart {
  /** A file-name-safe name: the package's directory (`fastify`), `root-<framework>` for the root README's. */
  readonly name: string;
  /** The README it is from, relative to the root. */
  readonly readme: string;
  /** The packages its install line names. */
  readonly install: readonly string[];
  readonly language: 'ts' | 'js';
  readonly code: string;
  readonly request: CurlRequest;
}

/** Reads a JSON file. */
export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The publishable packages, sorted by directory. */
export function publishablePackages(): PublishablePackage[] {
  const tracked = execFileSync('git', ['ls-files', '-z', '--', 'packages/*/package.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return tracked
    .split('\0')
    .filter((file) => /^packages\/[^/]+\/package\.json$/.test(file) && existsSync(join(ROOT, file)))
    .map((file) => {
      const dir = file.split('/')[1] as string;
      const readme = join(ROOT, 'packages', dir, 'README.md');
      return {
        dir,
        manifest: readJson<Manifest>(join(ROOT, file)),
        readme: existsSync(readme) ? readFileSync(readme, 'utf8') : '',
      };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/** A heading of a Markdown text: its level, its text, and its position among the headings. */
interface Heading {
  readonly level: number;
  readonly text: string;
  readonly index: number;
}

/** A fenced block of a Markdown text, with the headings it sits under (the outermost first). */
interface Block {
  readonly language: string;
  readonly code: string;
  readonly headings: readonly Heading[];
  /** The last non-blank line of text above the fence. */
  readonly before: string;
}

/** The fenced code blocks of a Markdown text, in order, each with the headings it sits under. */
function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  let headings: Heading[] = [];
  let count = 0;
  let open: { language: string; lines: string[]; before: string } | undefined;
  let before = '';
  for (const line of markdown.split(/\r?\n/)) {
    if (open === undefined) {
      const fence = /^```\s*([A-Za-z]*)/.exec(line);
      if (fence) open = { language: (fence[1] as string).toLowerCase(), lines: [], before };
      else if (line.trim() !== '') before = line;
      const title = /^(#{1,6})[ \t]+(.*?)[ \t]*$/.exec(line);
      if (title) {
        const level = (title[1] as string).length;
        headings = [
          ...headings.filter((h) => h.level < level),
          { level, text: title[2] as string, index: count++ },
        ];
      }
    } else if (/^```\s*$/.test(line)) {
      found.push({
        language: open.language,
        code: `${open.lines.join('\n')}\n`,
        headings,
        before: open.before,
      });
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  return found;
}

/** Splits a shell command line into words (single and double quotes, `\` escapes), up to an unquoted `#`. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The request of a `curl` command line: `-X`, `-H`, `-d`/`--data`, and the URL. */
export function parseCurl(line: string): CurlRequest {
  const words = shellWords(line);
  if (words[0] !== 'curl') throw new Error(`not a curl line: ${line}`);
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '-X' || word === '--request') method = words[++i];
    else if (word === '-H' || word === '--header') {
      const header = words[++i] ?? '';
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (word === '-d' || word === '--data' || word === '--data-raw') body = words[++i];
    else if (!word.startsWith('-')) url = word;
  }
  if (url === undefined) throw new Error(`no URL in: ${line}`);
  const parsed = new URL(/^https?:\/\//.test(url) ? url : `http://${url}`);
  return {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    path: `${parsed.pathname}${parsed.search}`,
    headers,
    body,
  };
}

/** Whether a quick start is for another runtime than Node: it uses Bun's or Deno's globals, or `npm:` imports. */
function forAnotherRuntime(code: string): boolean {
  return /\b(?:Bun|Deno)\.\w/.test(code) || /from\s+['"](?:npm|jsr):/.test(code);
}

const CODE = /^(?:ts|typescript|js|javascript)$/;
const SHELL = /^(?:sh|bash|shell|console)$/;

/** The blocks of the section of the first heading that matches `title`, its subsections included. */
function sectionBlocks(markdown: string, title: RegExp): Block[] {
  const all = blocks(markdown);
  const section = all.flatMap((b) => b.headings).find((h) => title.test(h.text))?.index;
  return section === undefined ? [] : all.filter((b) => b.headings.some((h) => h.index === section));
}

/** The request of the first curl line in the first shell block of `after`. */
function firstCurl(after: readonly Block[]): CurlRequest | undefined {
  const shell = after.find((b) => SHELL.test(b.language));
  const curl = shell?.code.split('\n').find((line) => /^\s*(?:\$\s*)?curl\s/.test(line));
  return curl === undefined ? undefined : parseCurl(curl.replace(/^\s*\$\s*/, '').trim());
}

/**
 * The server quick start of a package README: the first `ts`/`js` block that runs on Node in the section of the
 * first heading that starts with "Quick start" (its subsections included), and the first curl line of the next
 * `sh` block in that section. Undefined when the README has none (a quick start that is a script, or a command
 * line).
 */
export function serverQuickStart(pkg: PublishablePackage): QuickStart | undefined {
  const inSection = sectionBlocks(pkg.readme, /^Quick start\b/i);
  const index = inSection.findIndex((b) => CODE.test(b.language) && !forAnotherRuntime(b.code));
  const code = inSection[index];
  const request = firstCurl(inSection.slice(index + 1));
  if (code === undefined || request === undefined) return undefined;
  return {
    name: pkg.dir,
    readme: `packages/${pkg.dir}/README.md`,
    install: installLine(pkg.readme),
    language: code.language.startsWith('t') ? 'ts' : 'js',
    code: code.code,
    request,
  };
}

/**
 * The quick starts of the root README: every `ts`/`js` block of its "quick starts" section that runs on Node,
 * each under a lead line naming its framework and its install commands (`**Koa** (`npm i ...`, and `npm i -D
 * ...`)`), all answering the curl lines at the end of the section.
 */
export function rootQuickStarts(): QuickStart[] {
  const inSection = sectionBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'), /quick starts?$/i);
  const request = firstCurl(inSection);
  if (request === undefined) return [];
  return inSection
    .filter((b) => CODE.test(b.language) && !forAnotherRuntime(b.code))
    .map((b) => {
      const lead = /^\*\*([^*]+)\*\*/.exec(b.before)?.[1] ?? 'unnamed';
      const commands = [...b.before.matchAll(/`((?:npm (?:i|install)|pnpm add) [^`]*)`/g)];
      return {
        name: `root-${lead.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        readme: 'README.md',
        install: commands.flatMap((m) =>
          shellWords(m[1] as string)
            .slice(2)
            .filter((w) => !w.startsWith('-')),
        ),
        language: b.language.startsWith('t') ? ('ts' as const) : ('js' as const),
        code: b.code,
        request,
      };
    });
}

/**
 * The packages a README's install line names (`npm install a b`, `npm i`, `pnpm add -D`, `yarn add`), in the
 * first shell block that has one; flags and comments left out.
 */
export function installLine(readme: string): string[] {
  for (const block of blocks(readme)) {
    if (!/^(?:sh|bash|shell|console)$/.test(block.language)) continue;
    for (const line of block.code.split('\n')) {
      const words = shellWords(line.replace(/^\s*\$\s*/, ''));
      const [tool, verb] = words;
      if ((tool === 'npm' && (verb === 'install' || verb === 'i')) || (tool === 'pnpm' && verb === 'add')) {
        return words.slice(2).filter((w) => !w.startsWith('-'));
      }
      if (tool === 'yarn' && verb === 'add') return words.slice(2).filter((w) => !w.startsWith('-'));
    }
  }
  return [];
}

/** The package a bare module specifier names (`@koa/router` of `@koa/router/x`, `hono` of `hono/x`). */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || specifier.startsWith('.') || specifier.startsWith('/'))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The module specifiers a quick start imports (static `import ... from`, side-effect `import '...'`). */
export function importsOf(code: string): string[] {
  return [...code.matchAll(/^\s*import\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] as string,
  );
}
