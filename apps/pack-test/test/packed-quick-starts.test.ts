/**
 * The packages as a user gets them from the registry (issue 18 item 4): every publishable package is packed, the
 * tarballs are installed with npm into a fresh project under the system's temp directory (no workspace, no
 * links), with the packages the READMEs' install lines name, from the npm registry. There, each README quick start
 * that serves HTTP (each package README's, and the root README's) is type-checked under strict TypeScript (ES
 * module and CommonJS), then started as an ES module and as CommonJS (`require`), sent its README's keyed request
 * twice, and must answer the second from the store.
 * Packages and quick starts are discovered (support/discover.ts): a new package is covered without editing this.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  importsOf,
  installLine,
  type Manifest,
  packageOf,
  publishablePackages,
  type QuickStart,
  ROOT,
  readJson,
  rootQuickStarts,
  serverQuickStart,
} from './support/discover.js';
import { installProject, type Project } from './support/project.js';
import { serveTwice } from './support/serve.js';
import { runnables, typeCheckConfig, typeChecked } from './support/variants.js';

const run = promisify(execFile);

const packages = publishablePackages();
const quickStarts = [
  ...packages.map(serverQuickStart).filter((q): q is QuickStart => q !== undefined),
  ...rootQuickStarts(),
];
/** What the harness itself needs in the project: Node's types for tsc, a Node server for a `fetch` app. */
const HARNESS = ['@types/node', '@hono/node-server'];
const peers = [
  ...new Set([
    ...[...packages.map((pkg) => installLine(pkg.readme)), ...quickStarts.map((q) => q.install)]
      .flat()
      .filter((name) => !name.startsWith('@idempo/')),
    ...HARNESS,
  ]),
].sort();

let project: Project;

beforeAll(async () => {
  project = await installProject(packages, peers);
  copyFileSync(
    new URL('./support/run-quick-start.mjs', import.meta.url),
    join(project.dir, 'run-quick-start.mjs'),
  );
  for (const q of quickStarts) {
    for (const { file, text } of Object.values(runnables(q.name, q.language, q.code))) {
      writeFileSync(join(project.dir, file), text);
    }
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.info(
    `pack-test: ${project.tarballs.size} tarballs packed in ${seconds(project.timings.pack)} s; ${project.reused ? 'the same tarballs were installed by an earlier run, reused' : `installed with ${project.peers.join(' ')} in ${seconds(project.timings.install)} s`}: ${project.dir}`,
  );
});

describe('what the test covers', () => {
  it('finds the publishable packages, and the server quick starts of the four first adapters', () => {
    expect(packages.length).toBeGreaterThanOrEqual(11);
    expect(quickStarts.map((q) => q.name)).toEqual(
      expect.arrayContaining([
        'core',
        'fastify',
        'hono',
        'koa',
        'nest',
        'store-redis',
        'root-fastify',
        'root-koa',
      ]),
    );
  });

  it('every quick start sends a keyed POST, and imports only what its README install line names', () => {
    for (const q of quickStarts) {
      expect(q.request.method, q.name).toBe('POST');
      expect(q.request.headers['idempotency-key'], q.name).toBeDefined();
      const named = q.install;
      const missing = importsOf(q.code)
        .filter((specifier) => !isBuiltin(specifier))
        .map(packageOf)
        .filter((name) => name !== undefined && !named.includes(name));
      expect(
        missing,
        `${q.readme} (${q.name}): the install line misses what the quick start imports`,
      ).toEqual([]);
    }
  });
});

describe('the tarballs, installed with npm outside the workspace', () => {
  const installed = (name: string, ...path: string[]) => join(project.dir, 'node_modules', name, ...path);

  it('every publishable package is installed from its tarball, and the @idempo packages only from them', () => {
    const names = packages.map((pkg) => pkg.manifest.name).sort();
    expect(readdirSync(join(project.dir, 'node_modules/@idempo')).map((d) => `@idempo/${d}`)).toEqual(names);
    for (const pkg of packages) {
      const manifest = readJson<Manifest>(installed(pkg.manifest.name, 'package.json'));
      expect(manifest.version).toBe(pkg.manifest.version);
      // No second copy from the registry under a package: every @idempo dependency is the tarball at the top.
      const nested = installed(pkg.manifest.name, 'node_modules/@idempo');
      expect(existsSync(nested) ? readdirSync(nested) : [], nested).toEqual([]);
      for (const range of Object.values({ ...manifest.dependencies, ...manifest.peerDependencies })) {
        expect(range, `${pkg.manifest.name}: a workspace: range left in the tarball`).not.toMatch(
          /^workspace:/,
        );
      }
    }
  });

  it('every tarball carries the LICENSE, the README, and the registry fields issue 18 asks for', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    for (const pkg of packages) {
      const name = pkg.manifest.name;
      expect(readFileSync(installed(name, 'LICENSE'), 'utf8'), `${name}/LICENSE`).toBe(license);
      expect(readFileSync(installed(name, 'README.md'), 'utf8'), `${name}/README.md`).toBe(pkg.readme);
      const manifest = readJson<Manifest>(installed(name, 'package.json'));
      expect(manifest.license).toBe('MIT');
      expect(manifest.repository).toEqual({
        type: 'git',
        url: 'git+https://github.com/idempo/idempo.git',
        directory: `packages/${pkg.dir}`,
      });
      expect(manifest.homepage).toBe(`https://github.com/idempo/idempo/tree/main/packages/${pkg.dir}#readme`);
      expect(manifest.bugs).toEqual({ url: 'https://github.com/idempo/idempo/issues' });
    }
  });

  it('every export of every package resolves, and its JavaScript loads with import and with require', async () => {
    const entries = packages.flatMap((pkg) =>
      Object.keys(pkg.manifest.exports ?? { '.': null })
        .filter((subpath) => !subpath.includes('*'))
        .map((subpath) => `${pkg.manifest.name}${subpath.slice(1)}`),
    );
    expect(entries).toContain('@idempo/store-postgres/sql/schema.sql');
    // One process per way of loading, so that a module that fails to load names itself in the error.
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const failures = [];
      for (const entry of ${JSON.stringify(entries)}) {
        const js = !/\\.(?:json|sql)$/.test(entry);
        try {
          if (process.argv[2] === 'import') {
            const resolved = import.meta.resolve(entry);
            if (js) await import(entry);
            else if (!resolved.startsWith('file:')) throw new Error('resolves to ' + resolved);
          } else {
            const resolved = require.resolve(entry);
            if (js) require(entry);
            else if (!resolved.endsWith(entry.split('/').pop())) throw new Error('resolves to ' + resolved);
          }
        } catch (error) {
          failures.push(entry + ': ' + (error && error.message ? error.message.split('\\n')[0] : error));
        }
      }
      console.log(JSON.stringify(failures));
    `;
    writeFileSync(join(project.dir, 'load-exports.mjs'), script);
    for (const how of ['import', 'require']) {
      const { stdout } = await run(process.execPath, ['load-exports.mjs', how], { cwd: project.dir });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]'), how).toEqual([]);
    }
    const schema = readFileSync(installed('@idempo/store-postgres', 'sql/schema.sql'), 'utf8');
    expect(schema).toContain('CREATE TABLE');
  });

  it('each TypeScript quick start type-checks under strict tsc against the installed types, as ESM and as CJS', async () => {
    const files = quickStarts
      .filter((q) => q.language === 'ts')
      .flatMap((q) => typeChecked(`check-${q.name}`, q.code));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const { file, text } of files) writeFileSync(join(project.dir, file), text);
    writeFileSync(join(project.dir, 'tsconfig.json'), typeCheckConfig(files.map((f) => f.file)));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project.dir }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    );
    // Our quick starts and our declarations must be clean; an error inside a third party's declarations (as
    // @types/koa 3.0.3 has against content-disposition 1.x) is that package's, and skipLibCheck would hide ours.
    const errors = result.stdout
      .split('\n')
      .filter((line) => /^\S.*\(\d+,\d+\): error TS/.test(line))
      .filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@idempo/'));
    expect(errors, result.stdout).toEqual([]);
    expect(result.stdout === '' || /error TS/.test(result.stdout), result.stdout).toBe(true);
  });

  describe.each(quickStarts.map((q) => [q.name, q] as const))('the %s README quick start', (_name, q) => {
    it.each(['esm', 'cjs'] as const)(
      'serves as %s: a keyed POST, then the same again is replayed',
      async (kind) => {
        const { file } = runnables(q.name, q.language, q.code)[kind];
        const { first, second, output } = await serveTwice(project.dir, file, q.request);
        const context = `${file}:\n${output}`;
        expect(first.status, context).toBeGreaterThanOrEqual(200);
        expect(first.status, context).toBeLessThan(300);
        expect(first.replayed, context).toBeNull();
        expect(second, context).toEqual({ status: first.status, replayed: 'true', body: first.body });
      },
    );
  });
});
