/**
 * A fresh npm project outside the workspace with the packed tarballs installed: `pnpm pack` of every publishable
 * package (which writes the real versions in place of `workspace:` ranges, as `pnpm publish` does), then
 * `npm install <tarballs> <peers>` from the npm registry, as a user does after reading the READMEs.
 *
 * The installed project is kept under `<tmpdir>/idempo-pack-test/<hash>`, the hash of the tarballs' bytes (pnpm
 * packs byte-identical tarballs from identical files), the install arguments and the Node version: a run whose
 * packages did not change reuses it instead of installing again. A project is only ever renamed into place once
 * its install finished, so that a run never reuses a half-installed one.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Manifest, type PublishablePackage, ROOT, readJson } from './discover.js';

const run = promisify(execFile);

/** The temp project: where it is, and the tarball of each package by name. */
export interface Project {
  readonly dir: string;
  /** Whether the install was reused from an earlier run with the same tarballs. */
  readonly reused: boolean;
  readonly tarballs: ReadonlyMap<string, string>;
  /** The `npm install` arguments after the tarballs, `fastify@5.12.8`. */
  readonly peers: readonly string[];
  /** How long packing and installing took, in milliseconds. */
  readonly timings: { readonly pack: number; readonly install: number };
}

/**
 * The version of each third-party package the workspace itself tests with (a devDependency or dependency of the
 * root or of a workspace package, not an `npm:` alias nor a `workspace:` range), so that the install is the one
 * the other tests vouch for and does not move with the registry's latest.
 */
export function workspaceVersions(): Map<string, string> {
  const manifests = [join(ROOT, 'package.json')];
  for (const parent of ['packages', 'apps']) {
    for (const dir of readdirSync(join(ROOT, parent)))
      manifests.push(join(ROOT, parent, dir, 'package.json'));
  }
  const versions = new Map<string, string>();
  for (const file of manifests) {
    let manifest: Manifest;
    try {
      manifest = readJson<Manifest>(file);
    } catch {
      continue;
    }
    for (const deps of [manifest.devDependencies, manifest.dependencies]) {
      for (const [name, range] of Object.entries(deps ?? {})) {
        if (!versions.has(name) && !/^(?:npm|workspace|file|link):/.test(range)) versions.set(name, range);
      }
    }
  }
  return versions;
}

/** What may pass from the environment to npm of the `npm_config_*` settings: where the registry is, and how to reach it. */
const KEPT = /^npm_config_(?:registry|cache|cafile|strict_ssl|proxy|https_proxy|noproxy)$/i;

/**
 * The environment without what pnpm and npm set for a script (`npm_package_*`, `npm_lifecycle_*`, pnpm's
 * `npm_config_frozen_lockfile` and the like): a user's shell, keeping how to reach the registry.
 */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => KEPT.test(name) || !/^(?:npm|pnpm)_/i.test(name)),
  );
}

/** The files an `exports` map names (`./dist/index.js`), patterns left out. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return exports.includes('*') ? [] : [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

/**
 * Packs every package into `dir` with one recursive `pnpm pack` (one process: a dozen `pnpm pack` processes cost
 * ten times as long); the tarball of each package by name (pnpm names it `<scope>-<name>-<version>.tgz`).
 */
async function pack(packages: readonly PublishablePackage[], dir: string): Promise<Map<string, string>> {
  const unbuilt = packages.flatMap((pkg) =>
    exportTargets(pkg.manifest.exports)
      .map((target) => join('packages', pkg.dir, target))
      .filter((file) => !existsSync(join(ROOT, file))),
  );
  if (unbuilt.length > 0) {
    throw new Error(`not built (turbo builds them before this test): ${unbuilt.join(', ')}`);
  }
  mkdirSync(dir, { recursive: true });
  const filters = packages.flatMap((pkg) => ['--filter', pkg.manifest.name]);
  await run('pnpm', ['--recursive', ...filters, 'pack', '--pack-destination', dir], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  const tarballs = new Map<string, string>();
  for (const { manifest } of packages) {
    const file = join(dir, `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
    if (!existsSync(file)) throw new Error(`pnpm pack wrote no ${file} for ${manifest.name}`);
    tarballs.set(manifest.name, file);
  }
  return tarballs;
}

/**
 * Packs the packages and installs them with `peers` into a new project under the system's temp directory.
 * `peers` are package names; each is installed at the version the workspace tests with (latest when none).
 */
export async function installProject(
  packages: readonly PublishablePackage[],
  peers: readonly string[],
): Promise<Project> {
  const cache = join(tmpdir(), 'idempo-pack-test');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'installing-'));
  const started = performance.now();
  const tarballs = await pack(packages, join(dir, '.tarballs'));
  const packed = performance.now();
  const versions = workspaceVersions();
  const specs = peers.map((name) => `${name}@${versions.get(name) ?? 'latest'}`);
  const hash = createHash('sha256').update(`${process.version}\n${specs.join('\n')}\n`);
  for (const [name, file] of [...tarballs].sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${name}\n`).update(readFileSync(file));
  }
  const home = join(cache, hash.digest('hex').slice(0, 16));
  const done = (project: string, reused: boolean): Project => ({
    dir: project,
    reused,
    tarballs: new Map([...tarballs].map(([name, file]) => [name, file.replace(dir, project)])),
    peers: specs,
    timings: { pack: packed - started, install: performance.now() - packed },
  });
  if (existsSync(join(home, '.installed'))) {
    rmSync(dir, { recursive: true, force: true });
    return done(home, true);
  }
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'idempo-pack-test-project', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values(), ...specs],
    { cwd: dir, maxBuffer: 64 << 20, env: userEnv() },
  );
  writeFileSync(join(dir, '.installed'), `${specs.join('\n')}\n`);
  rmSync(home, { recursive: true, force: true });
  try {
    renameSync(dir, home);
  } catch {
    // Another run renamed its identical install into place first: use that one.
    rmSync(dir, { recursive: true, force: true });
  }
  pruneOthers(cache, home);
  return done(home, false);
}

/** Removes the cached installs of other tarballs that no run has touched for a day. */
function pruneOthers(cache: string, keep: string): void {
  for (const entry of readdirSync(cache)) {
    const path = join(cache, entry);
    if (path !== keep && Date.now() - statSync(path).mtimeMs > 24 * 3600_000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}
